package io.sibus.engine.lifecycle;

import io.sibus.datastore.LockSession;
import io.sibus.datastore.SqlErrors;
import io.sibus.engine.health.LoopMonitor;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.jboss.logging.Logger;

/**
 * Writes the holder's heartbeat on the lock session while this member holds the data store. A
 * heartbeat that fails for a lost connection means the session, and with it the lock, is gone.
 */
final class Keeper {
  private static final Logger LOG = Logger.getLogger(Keeper.class);
  private final ScheduledExecutorService executor;
  private final LoopMonitor monitor;
  private final LoopMonitor.Loop loop;

  Keeper(
      LockSession session,
      Object sessionLock,
      String member,
      Duration interval,
      LoopMonitor monitor,
      Consumer<SQLException> connectionLost) {
    this.monitor = monitor;
    this.loop = monitor.register("sibus-keeper");
    this.executor =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "sibus-keeper");
              t.setDaemon(true);
              return t;
            });
    loop.busy(true);
    executor.scheduleWithFixedDelay(
        () -> beat(session, sessionLock, member, connectionLost),
        0,
        interval.toMillis(),
        TimeUnit.MILLISECONDS);
  }

  private void beat(
      LockSession session, Object sessionLock, String member, Consumer<SQLException> lost) {
    try {
      synchronized (sessionLock) {
        session.heartbeat(member);
      }
      loop.beat();
    } catch (SQLException e) {
      if (SqlErrors.isConnectionLoss(e)) {
        stop();
        lost.accept(e);
      } else {
        // A store without its lease table (a global error) takes no heartbeat; the session
        // itself still proves this member alive.
        loop.beat();
      }
    } catch (RuntimeException e) {
      // Thrown on, it would cancel the heartbeats without a word. Without a beat, the liveness
      // check fails once this repeats for its stall timeout.
      LOG.warnf(
          e, "SIBUS0051W The data store heartbeat of member %s failed; it is tried again", member);
    }
  }

  void stop() {
    executor.shutdown();
    monitor.unregister(loop);
  }
}
