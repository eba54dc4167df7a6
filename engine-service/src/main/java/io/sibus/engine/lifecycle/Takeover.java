package io.sibus.engine.lifecycle;

import io.sibus.datastore.Activation;
import io.sibus.datastore.ErrorClass;
import io.sibus.datastore.FailoverSuppressedException;
import io.sibus.datastore.LockSession;
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
 * incarnation, next epoch), then serve ({@link ActiveWork}); and what it does when the store fails
 * under it or it stops. The lock session and its heartbeat are a {@link StoreSession}. Runs on the
 * lifecycle thread, apart from the stop flag, {@link #serving} and {@link #abandon} (a member that
 * exits for a local error).
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
  private final EngineMetrics metrics;
  private final Messaging messaging;
  private final Election election;
  private final Standby standby;
  private final TableSetup tables;
  private final StoreSession session;
  private final ActiveWork work;
  private final StoreOutage outage;
  private volatile boolean stopRequested;
  private volatile boolean clearSuppression;
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
    this.metrics = metrics;
    this.messaging = messaging;
    this.election = election;
    this.standby = new Standby(config, status, errors, context, faults, election);
    this.tables = new TableSetup(config, errors, context);
    this.session = new StoreSession(context.member(), config.engine().heartbeatInterval(), monitor);
    this.work = new ActiveWork(config, context, dataSource, messaging, monitor, faults, metrics);
    this.outage =
        new StoreOutage(
            config, status, errors, context, dataSource, election, standby, session, work);
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
        session.close();
        status.state(EngineState.STOPPED);
        return Outcome.STOPPED;
      }
      if (!session.isOpen()) {
        Optional<LockSession> opened = standby.connect(() -> stopRequested);
        if (opened.isEmpty()) {
          return stopRequested ? Outcome.STOPPED : Outcome.DISABLED;
        }
        session.opened(opened.get());
      }
      Optional<Outcome> outcome = tryForStore(mode);
      if (outcome.isPresent()) {
        return outcome.get();
      }
    }
  }

  /**
   * One attempt of the open session: wait as a standby for the lock, then take the store. Empty
   * when the attempt is to be made again: failover suppressed, or the connection lost (the session
   * is then closed, and opened again).
   */
  private Optional<Outcome> tryForStore(StartMode mode) {
    try {
      if (!session.holdsLock()
          && !standby.awaitLock(session, () -> stopRequested, () -> clearSuppression)) {
        return Optional.empty();
      }
      return takeStore(mode);
    } catch (SQLException e) {
      if (!Lifecycle.connectionLoss(e)) {
        throw new StoreException(
            ErrorClass.LOCAL,
            "SIBUS0052E",
            "The data store refused the start of the engine: " + e.getMessage(),
            "Check the database user's rights on schema " + context.schema() + ".",
            e);
      }
      session.close();
      return Optional.empty();
    }
  }

  /** Verifies the store and takes ownership; empty when failover is suppressed (stay standby). */
  private Optional<Outcome> takeStore(StartMode mode) throws SQLException {
    Optional<Activation> activated = session.locked(this::activate);
    if (activated.isEmpty()) {
      status.failoverSuppressed(true);
      return Optional.empty();
    }
    Activation activation = activated.get();
    status.activation(activation.epoch(), activation.incarnation());
    status.activeMember(context.member(), context.url());
    status.failoverSuppressed(false);
    metrics.activated();
    session.keep(failures::connectionLost);
    election.activated(failures);
    return Optional.of(mode == StartMode.RECOVERY ? recover(activation) : serve(mode, activation));
  }

  /** The next activation of the store, or empty (and the lock let go) if failover is suppressed. */
  private Optional<Activation> activate(LockSession held) throws SQLException {
    var connection = held.connection();
    tables.verifyOrCreate(connection);
    if (clearSuppression) {
      context.ownership().clearSuppression(connection);
      clearSuppression = false;
      status.failoverSuppressed(false);
    }
    try {
      return Optional.of(context.ownership().activate(connection, context.member(), context.url()));
    } catch (FailoverSuppressedException e) {
      held.unlock();
      return Optional.empty();
    }
  }

  /** Starts the writer and the messaging work of a new activation, and reports ACTIVE. */
  private Outcome serve(StartMode mode, Activation activation) throws SQLException {
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
    work.begin(activation, failures, flushed);
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
    work.stop(cause);
    election.standDown(); // the operator marks the Lease; this member leaves it as it is
    if (session.isOpen()) {
      if (!session.kept()) {
        session.keep(failures::connectionLost);
      }
      try {
        session.locked(
            held -> {
              context
                  .ownership()
                  .suppressFailover(held.connection(), cause.code(), cause.getMessage());
              return null;
            });
      } catch (SQLException e) {
        // The owner row is part of the damage: the lock this member keeps still holds others back.
      }
    }
  }

  /**
   * The connection was lost and failover-on-connection-loss is off: wait for the database, then
   * continue as the active member, or as a standby if another member took the store meanwhile.
   */
  void waitForStore(SQLException cause, StoreFailures failures) {
    if (status.state() != EngineState.ACTIVE) {
      return;
    }
    if (!outage.waitOut(cause, () -> stopRequested, failures::connectionLost) && !stopRequested) {
      start(StartMode.NORMAL, failures);
    }
  }

  /** Stops serving and gives up the store (an orderly stop). */
  void stop() {
    EngineState current = status.state();
    if (current == EngineState.ACTIVE || current == EngineState.RECOVERING) {
      status.state(EngineState.STOPPING);
      work.drain(Duration.ofSeconds(10));
    }
    // Whatever stopping the work fails with (the first failure is thrown, the others suppressed
    // in it): the store is let go, so that a standby can take it, and the member, which serves
    // nothing and holds no store, can be started again.
    EachStep.runAll(
        () -> work.stop(StoreErrors.notActive()),
        session::close,
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
    return work.running();
  }

  /** The member is exiting for a local error: stop everything without waiting. */
  void abandon() {
    stopRequested = true;
    election.standDown();
    status.storeAvailable(false);
    status.state(EngineState.STOPPING);
    work.stop(StoreErrors.notActive());
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
