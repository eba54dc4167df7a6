package io.sibus.engine.lifecycle;

import io.agroal.api.AgroalDataSource;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.sibus.datastore.ErrorClass;
import io.sibus.datastore.SqlErrors;
import io.sibus.datastore.StoreException;
import io.sibus.engine.config.InitialState;
import io.sibus.engine.config.SibusConfig;
import io.sibus.engine.config.StartMode;
import io.sibus.engine.error.ApiException;
import io.sibus.engine.error.ErrorLog;
import io.sibus.engine.store.StoreFailures;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.sql.SQLException;
import java.util.EnumSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jboss.logging.Logger;

/**
 * The engine's life cycle on this member. Every transition runs on one thread, the lifecycle
 * thread; other threads (the API, the writer, the heartbeat) only submit requests to it or report
 * failures, which are classified here: local errors end the member (exit code 10, termination
 * message), global errors stop processing and keep the member alive with failover suppressed, and a
 * lost connection is either a local error or a wait, as configured.
 */
@ApplicationScoped
public class Lifecycle implements StoreFailures {
  private static final Logger LOG = Logger.getLogger(Lifecycle.class);
  private static final EnumSet<EngineState> STARTABLE =
      EnumSet.of(EngineState.STOPPED, EngineState.DISABLED, EngineState.GLOBAL_ERROR);

  private final SibusConfig config;
  private final MemberStatus status;
  private final ErrorLog errors;
  private final Takeover takeover;
  private final ExecutorService thread =
      Executors.newSingleThreadExecutor(
          r -> {
            Thread t = new Thread(r, "sibus-lifecycle");
            t.setDaemon(true);
            return t;
          });
  private final AtomicBoolean exiting = new AtomicBoolean();
  private volatile boolean shuttingDown; // the process is asked to end (SIGTERM, say)
  private final AtomicBoolean waitingForStore = new AtomicBoolean();

  public Lifecycle(SibusConfig config, MemberStatus status, ErrorLog errors, Takeover takeover) {
    this.config = config;
    this.status = status;
    this.errors = errors;
    this.takeover = takeover;
  }

  void onStart(@Observes @Priority(5000) StartupEvent event) {
    status.started(true);
    if (config.engine().initialState() == InitialState.STARTED) {
      requestStart(config.engine().startMode());
    } else {
      errors.info(
          "SIBUS0017I",
          "Messaging engine "
              + config.engine().name()
              + " has initial state STOPPED; start it"
              + " with POST /api/v1/engine/start.");
    }
  }

  void onStop(@Observes ShutdownEvent event) {
    if (exiting.get()) {
      return;
    }
    shuttingDown = true;
    takeover.requestStop();
    Future<?> stopped = thread.submit(this::stopNow);
    try {
      stopped.get(15, TimeUnit.SECONDS);
    } catch (Exception e) {
      LOG.warn("The engine did not stop within 15 s; the member exits anyway");
    }
    thread.shutdownNow();
  }

  /**
   * Starts the engine on this member (from STOPPED, DISABLED or GLOBAL_ERROR). On a standby held
   * back by a recorded global error, it lifts the suppression: the person says the cause is fixed.
   */
  public synchronized void requestStart(StartMode mode) {
    EngineState current = status.state();
    if (current == EngineState.STANDBY && status.failoverSuppressed()) {
      // A person fixed the global error: this standby may take the engine over now.
      takeover.clearSuppressionOnNextAttempt();
      return;
    }
    if (!STARTABLE.contains(current)) {
      throw new ApiException(
              409,
              "SIBUS0209E",
              "The engine is " + current + " on this member and cannot be started.",
              "Stop it first, or wait until it is STOPPED, DISABLED or GLOBAL_ERROR.")
          .detail("state", current.name());
    }
    takeover.prepareStart(current == EngineState.GLOBAL_ERROR);
    status.state(EngineState.STARTING);
    onLifecycleThread(() -> runStart(mode));
  }

  /** Stops the engine on this member. */
  public synchronized void requestStop() {
    takeover.requestStop();
    thread.execute(
        () -> {
          try {
            stopNow();
          } catch (RuntimeException | Error e) {
            // Not a local error: the member would restart, and could start the engine again
            // against the stop that was asked for.
            LOG.errorf(e, "The stop of messaging engine %s failed", config.engine().name());
          }
        });
  }

  /** Runs on the life cycle's thread, whose wrapper handles what it fails with. */
  private void runStart(StartMode mode) {
    Takeover.Outcome outcome = takeover.start(mode, this);
    switch (outcome) {
      case ACTIVE, STOPPED, DISABLED -> {}
      case RECOVERED -> stopNow();
    }
  }

  private void stopNow() {
    if (exiting.get()) {
      return;
    }
    takeover.stop();
  }

  private void failed(StoreException e) {
    if (e.errorClass() == ErrorClass.GLOBAL) {
      takeover.globalError(e);
    } else {
      localError(e.code(), e.getMessage(), e.userAction());
    }
  }

  @Override
  public void connectionLost(SQLException cause) {
    if (exiting.get() || status.state() != EngineState.ACTIVE) {
      return;
    }
    if (config.datastore().failoverOnConnectionLoss()) {
      localError(
          "SIBUS0052E",
          "Messaging engine "
              + config.engine().name()
              + " lost its connection to the data store ("
              + cause.getMessage()
              + "); the member stops so that the engine fails over or restarts.",
          "Check the database and the network to it; no action is needed for the engine.");
    } else if (waitingForStore.compareAndSet(false, true)) {
      onLifecycleThread(
          () -> {
            try {
              takeover.waitForStore(cause, this);
            } finally {
              waitingForStore.set(false);
            }
          });
    }
  }

  @Override
  public void storeFailed(StoreException cause) {
    if (cause.errorClass() == ErrorClass.GLOBAL) {
      onLifecycleThread(() -> takeover.globalError(cause));
    } else {
      localError(cause.code(), cause.getMessage(), cause.userAction());
    }
  }

  @Override
  public void dutyEnded(String duty, Throwable cause) {
    LOG.errorf(cause, "The %s ended on an error", duty);
    if (exiting.get() || !takeover.serving()) {
      // Stopping already, or a thread of an activation given up (the member waits for the store
      // again as a standby): what the duty held is failed or told as it stops.
      return;
    }
    // Also while the member becomes active (its writer and housekeeping start before it reports
    // ACTIVE): it must not turn ACTIVE without them.
    localError(
        "SIBUS0052E",
        "The "
            + duty
            + " of messaging engine "
            + config.engine().name()
            + " ended on an error ("
            + cause
            + "); the member stops so that the engine fails over or restarts.",
        "Report the member's log if it happens again; no action is needed for the engine.");
  }

  /**
   * Runs {@code work} on the life cycle's thread. What it fails with stops the member: a task
   * submitted there kept its failure in a future that nobody read, and an Error in the standby's
   * wait for the lock left a member that looked healthy and would never take over.
   */
  private void onLifecycleThread(Runnable work) {
    thread.execute(
        () -> {
          try {
            work.run();
          } catch (RuntimeException | Error e) {
            if (shuttingDown) {
              // Interrupted as the process ends: no local error to report.
              LOG.warn("The life cycle's work ended as the process ended", e);
              return;
            }
            if (e instanceof StoreException classified) {
              failed(classified);
              return;
            }
            LOG.error("The life cycle of the engine failed unexpectedly", e);
            localError(
                "SIBUS0052E",
                "The life cycle of messaging engine "
                    + config.engine().name()
                    + " failed unexpectedly ("
                    + e
                    + "); the member stops so that the engine fails over or restarts.",
                "Report the member's log; no action is needed for the engine.");
          }
        });
  }

  @Override
  public void recovered(String what) {
    errors.report(
        ErrorClass.RECOVERABLE,
        "SIBUS0051W",
        "A recoverable error was corrected while running: " + what + ".",
        "None.");
  }

  /**
   * A local error: the member ends (exit code 10, with a termination message) so that another
   * member takes over or the container restarts.
   */
  void localError(String code, String message, String userAction) {
    if (!exiting.compareAndSet(false, true)) {
      return;
    }
    try {
      errors.report(ErrorClass.LOCAL, code, message, userAction);
      TerminationLog.write(config.engine().terminationLog(), ErrorClass.LOCAL, code, message);
      takeover.abandon();
    } finally {
      // Whatever failed above: with exiting set, no later local error would end the member.
      Thread exit =
          new Thread(
              () -> {
                Quarkus.asyncExit(10);
                sleep(10_000);
                Runtime.getRuntime().halt(10);
              },
              "sibus-exit");
      exit.setDaemon(true);
      exit.start();
    }
  }

  /** Used by {@link StoreOutage} when the pool must drop connections of a lost database. */
  static void flushPool(javax.sql.DataSource dataSource) {
    if (dataSource instanceof AgroalDataSource agroal) {
      agroal.flush(AgroalDataSource.FlushMode.ALL);
    }
  }

  static boolean connectionLoss(SQLException e) {
    return SqlErrors.isConnectionLoss(e);
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
