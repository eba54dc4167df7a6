package io.sibus.engine.lifecycle;

import io.sibus.datastore.Activation;
import io.sibus.datastore.ErrorClass;
import io.sibus.datastore.FailoverSuppressedException;
import io.sibus.datastore.LockSession;
import io.sibus.datastore.OwnerRecord;
import io.sibus.datastore.StoreException;
import io.sibus.engine.config.SibusConfig;
import io.sibus.engine.config.StartMode;
import io.sibus.engine.election.Election;
import io.sibus.engine.error.EachStep;
import io.sibus.engine.error.ErrorLog;
import io.sibus.engine.health.Faults;
import io.sibus.engine.health.LoopMonitor;
import io.sibus.engine.messaging.Messaging;
import io.sibus.engine.metrics.EngineMetrics;
import io.sibus.engine.store.GroupCommit;
import io.sibus.engine.store.StoreContext;
import io.sibus.engine.store.StoreErrors;
import io.sibus.engine.store.StoreFailures;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * How this member gets, keeps and gives up the data store: connect (waiting up to the start-up
 * timeout) and wait as a standby until the election lets it try and the advisory lock is free
 * ({@link Standby}), verify or create the tables ({@link TableSetup}), take ownership (new
 * incarnation, next epoch), then serve; and what it does when the store fails under it or it stops.
 * Runs on the lifecycle thread only, apart from the stop flag.
 */
@ApplicationScoped
public class Takeover {
  /** How a start ended. */
  enum Outcome {
    ACTIVE,
    STOPPED,
    DISABLED,
    RECOVERED
  }

  private final SibusConfig config;
  private final MemberStatus status;
  private final ErrorLog errors;
  private final StoreContext context;
  private final DataSource dataSource;
  private final Messaging messaging;
  private final LoopMonitor monitor;
  private final Faults faults;
  private final EngineMetrics metrics;
  private final Election election;
  private final Standby standby;
  private final TableSetup tables;
  private final Object sessionLock = new Object();
  private volatile boolean stopRequested;
  private volatile boolean clearSuppression;
  private LockSession session;
  private volatile GroupCommit writer;
  private Keeper keeper;
  private StoreFailures failures;

  public Takeover(
      SibusConfig config,
      MemberStatus status,
      ErrorLog errors,
      StoreContext context,
      DataSource dataSource,
      Messaging messaging,
      LoopMonitor monitor,
      Faults faults,
      EngineMetrics metrics,
      Election election) {
    this.config = config;
    this.status = status;
    this.errors = errors;
    this.context = context;
    this.dataSource = dataSource;
    this.messaging = messaging;
    this.monitor = monitor;
    this.faults = faults;
    this.metrics = metrics;
    this.election = election;
    this.standby = new Standby(config, status, errors, context, faults, election);
    this.tables = new TableSetup(config, errors, context);
  }

  void prepareStart(boolean clearGlobalError) {
    stopRequested = false;
    clearSuppression = clearGlobalError;
  }

  void clearSuppressionOnNextAttempt() {
    clearSuppression = true;
  }

  void requestStop() {
    stopRequested = true;
  }

  Outcome start(StartMode mode, StoreFailures failures) {
    this.failures = failures;
    status.startMode(mode);
    if (mode == StartMode.RESTART_AFTER_RESTORE) {
      errors.info(
          "SIBUS0780I",
          "Messaging engine "
              + engine()
              + " is starting in restart-after-restore mode: its"
              + " delivery streams will be flushed.");
    }
    while (true) {
      if (stopRequested) {
        closeSession();
        status.state(EngineState.STOPPED);
        return Outcome.STOPPED;
      }
      if (session == null) {
        session = standby.connect(() -> stopRequested).orElse(null);
        if (session == null) {
          return stopRequested ? Outcome.STOPPED : Outcome.DISABLED;
        }
      }
      try {
        if (!session.held()
            && !standby.awaitLock(
                session, sessionLock, () -> stopRequested, () -> clearSuppression)) {
          continue;
        }
        Optional<Outcome> outcome = takeStore(mode, failures);
        if (outcome.isPresent()) {
          return outcome.get();
        }
      } catch (SQLException e) {
        if (!Lifecycle.connectionLoss(e)) {
          throw new StoreException(
              ErrorClass.LOCAL,
              "SIBUS0052E",
              "The data store refused the start of the engine: " + e.getMessage(),
              "Check the database user's rights on schema " + context.schema() + ".",
              e);
        }
        closeSession();
      }
    }
  }

  /** Verifies the store and takes ownership; empty when failover is suppressed (stay standby). */
  private Optional<Outcome> takeStore(StartMode mode, StoreFailures failures) throws SQLException {
    Activation activation;
    synchronized (sessionLock) {
      var connection = session.connection();
      tables.verifyOrCreate(connection);
      if (clearSuppression) {
        context.ownership().clearSuppression(connection);
        clearSuppression = false;
        status.failoverSuppressed(false);
      }
      try {
        activation = context.ownership().activate(connection, context.member(), context.url());
      } catch (FailoverSuppressedException e) {
        session.unlock();
        status.failoverSuppressed(true);
        return Optional.empty();
      }
    }
    status.activation(activation.epoch(), activation.incarnation());
    status.activeMember(context.member(), context.url());
    status.failoverSuppressed(false);
    metrics.activated();
    startKeeper(failures);
    election.activated(failures);
    return Optional.of(
        mode == StartMode.RECOVERY ? recover(activation) : serve(mode, activation, failures));
  }

  /** Starts the writer and the messaging work of a new activation, and reports ACTIVE. */
  private Outcome serve(StartMode mode, Activation activation, StoreFailures failures)
      throws SQLException {
    writer =
        new GroupCommit(
            dataSource,
            context.ownership(),
            context.messages(),
            context.streams(),
            failures,
            monitor,
            faults,
            metrics,
            config.engine().writerThreads(),
            config.engine().maxBatch());
    writer.start(activation.epoch());
    // Restart after restore: every delivery stream is flushed; SIBUS0783I when all are.
    Runnable flushed =
        mode != StartMode.RESTART_AFTER_RESTORE
            ? null
            : () ->
                errors.info(
                    "SIBUS0783I",
                    "Messaging engine "
                        + engine()
                        + " started, flush of all delivery streams completed.");
    messaging.activate(activation.epoch(), activation.incarnation(), writer, failures, flushed);
    status.storeAvailable(true);
    status.state(EngineState.ACTIVE);
    errors.info(
        "SIBUS0016I",
        "Messaging engine "
            + engine()
            + " is ACTIVE on member "
            + context.member()
            + " (epoch "
            + activation.epoch()
            + ", incarnation "
            + activation.incarnation()
            + ").");
    return Outcome.ACTIVE;
  }

  private Outcome recover(Activation activation) throws SQLException {
    status.state(EngineState.RECOVERING);
    String report = messaging.recover(activation.epoch());
    errors.info(
        "SIBUS0790I",
        "Recovery of messaging engine "
            + engine()
            + " completed: "
            + report
            + ". The engine"
            + " stops now; start it normally.");
    return Outcome.RECOVERED;
  }

  private void startKeeper(StoreFailures failures) {
    stopKeeper();
    keeper =
        new Keeper(
            session,
            sessionLock,
            context.member(),
            config.engine().heartbeatInterval(),
            monitor,
            failures::connectionLost);
  }

  /**
   * A global error: stop processing, keep the member alive and the data store held (so that no
   * standby takes over and meets the same fault), and record the suppression where standbys look.
   */
  void globalError(StoreException cause) {
    if (status.state() == EngineState.GLOBAL_ERROR) {
      return;
    }
    errors.report(cause);
    errors.explain(
        "SIBUS0050E",
        "Messaging engine "
            + engine()
            + " stopped processing after global error "
            + cause.code()
            + "; it will not be failed over to another member.",
        "Correct the cause ("
            + cause.code()
            + "), then start the engine: POST"
            + " /api/v1/engine/start, or the sibus.io/clear-global-error annotation.");
    status.state(EngineState.GLOBAL_ERROR);
    status.storeAvailable(false);
    status.failoverSuppressed(true);
    stopServing(cause);
    election.standDown(); // the operator marks the Lease; this member leaves it as it is
    if (session != null) {
      if (keeper == null) {
        startKeeper(failures);
      }
      synchronized (sessionLock) {
        try {
          context
              .ownership()
              .suppressFailover(session.connection(), cause.code(), cause.getMessage());
        } catch (SQLException e) {
          // The owner row is part of the damage: the lock this member keeps still holds others
          // back.
        }
      }
    }
  }

  /**
   * The connection was lost and failover-on-connection-loss is off: refuse persistent work, wait
   * for the database, then continue as the active member if nobody took over meanwhile, or become a
   * standby if somebody did.
   */
  void waitForStore(SQLException cause, StoreFailures failures) {
    if (status.state() != EngineState.ACTIVE) {
      return;
    }
    errors.report(
        ErrorClass.RECOVERABLE,
        "SIBUS0051W",
        "Messaging engine "
            + engine()
            + " lost its connection to the data store ("
            + cause.getMessage()
            + "); failover-on-connection-loss is false, so the member waits"
            + " for the database and refuses persistent messages meanwhile.",
        "Restore the database or the network to it.");
    status.storeAvailable(false);
    if (writer != null) {
      writer.reject(StoreErrors.unavailable());
    }
    stopKeeper();
    closeSession();
    Lifecycle.flushPool(dataSource);
    while (!stopRequested) {
      sleep(1000);
      try {
        if (session == null) {
          session = standby.open();
        }
        Optional<OwnerRecord> owner;
        synchronized (sessionLock) {
          if (!session.tryLock()) {
            break; // another member holds the store: become a standby
          }
          owner = context.ownership().read(session.connection());
        }
        if (owner.isEmpty() || owner.get().epoch() != status.epoch()) {
          break;
        }
        resume(failures);
        return;
      } catch (SQLException e) {
        closeSession();
      }
    }
    demote();
    if (!stopRequested) {
      start(StartMode.NORMAL, failures);
    }
  }

  /** The store is back, still at this member's epoch: serve again where the outage left off. */
  private void resume(StoreFailures failures) throws SQLException {
    messaging.reloadPersistent();
    writer.start(status.epoch());
    messaging.resumed();
    startKeeper(failures);
    status.storeAvailable(true);
    errors.report(
        ErrorClass.RECOVERABLE,
        "SIBUS0051W",
        "Messaging engine "
            + engine()
            + " reached its data store again and continues as the"
            + " active member (epoch "
            + status.epoch()
            + ").",
        "None.");
  }

  /** Someone else holds the store now: drop everything of this activation, keep the session. */
  private void demote() {
    election.standDown();
    stopServing(StoreErrors.notActive());
    try {
      if (session != null) {
        synchronized (sessionLock) {
          session.unlock();
        }
      }
    } catch (SQLException e) {
      closeSession();
    }
  }

  /** Stops serving and gives up the store (an orderly stop). */
  void stop() {
    EngineState current = status.state();
    if (current == EngineState.ACTIVE || current == EngineState.RECOVERING) {
      status.state(EngineState.STOPPING);
      if (writer != null) {
        writer.drain(Duration.ofSeconds(10));
      }
    }
    // Whatever stopping the work fails with (the first failure is thrown, the others suppressed
    // in it): the store is let go, so that a standby can take it, and the member, which serves
    // nothing and holds no store, can be started again.
    EachStep.runAll(
        () -> stopServing(StoreErrors.notActive()),
        this::closeSession,
        election::release,
        () -> status.storeAvailable(false),
        () -> status.state(EngineState.STOPPED));
    if (current != EngineState.STOPPED) {
      errors.info(
          "SIBUS0018I",
          "Messaging engine " + engine() + " stopped on member " + context.member() + ".");
    }
  }

  /**
   * True from the start of an activation (its writer is created before the member reports ACTIVE)
   * until its work is stopped.
   */
  boolean serving() {
    return writer != null;
  }

  /** The member is exiting for a local error: stop everything without waiting. */
  void abandon() {
    stopRequested = true;
    election.standDown();
    status.storeAvailable(false);
    status.state(EngineState.STOPPING);
    stopServing(StoreErrors.notActive());
  }

  /**
   * Stops the messaging work and the writer, each whatever the other fails with (the first failure
   * is thrown once all are stopped): a member that stops serving serves nothing more.
   */
  private void stopServing(RuntimeException reason) {
    GroupCommit left = writer;
    writer = null;
    EachStep.runAll(
        messaging::deactivate,
        () -> {
          if (left != null) {
            left.reject(reason);
          }
        },
        () -> {
          if (left != null) {
            left.shutdown();
          }
        });
  }

  private void stopKeeper() {
    if (keeper != null) {
      keeper.stop();
      keeper = null;
    }
  }

  private void closeSession() {
    stopKeeper();
    if (session != null) {
      synchronized (sessionLock) {
        session.close();
      }
      session = null;
    }
  }

  private String engine() {
    return config.engine().name();
  }

  static void sleep(long millis) {
    try {
      Thread.sleep(Math.max(1, millis));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
