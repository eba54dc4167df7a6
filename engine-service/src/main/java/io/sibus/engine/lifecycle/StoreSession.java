package io.sibus.engine.lifecycle;

import io.sibus.datastore.LockSession;
import io.sibus.engine.health.LoopMonitor;
import java.sql.SQLException;
import java.time.Duration;
import java.util.function.Consumer;

/**
 * This member's lock session on the data store, open or not, and the keeper that writes its
 * heartbeat while the member holds the store. The keeper's thread and the lifecycle thread share
 * the session's one connection, so every statement on it runs under one lock ({@link #locked}, and
 * the keeper's beats). Opened, closed and kept on the lifecycle thread only.
 */
final class StoreSession {
  /** Work on the lock session that may fail as the database does. */
  interface SessionWork<T> {
    T run(LockSession session) throws SQLException;
  }

  private final Object lock = new Object();
  private final String member;
  private final Duration heartbeatInterval;
  private final LoopMonitor monitor;
  private LockSession session;
  private Keeper keeper;

  StoreSession(String member, Duration heartbeatInterval, LoopMonitor monitor) {
    this.member = member;
    this.heartbeatInterval = heartbeatInterval;
    this.monitor = monitor;
  }

  boolean isOpen() {
    return session != null;
  }

  void opened(LockSession opened) {
    session = opened;
  }

  /** Whether the open session holds the store's advisory lock. */
  boolean holdsLock() {
    return session.held();
  }

  /** Runs {@code work} on the open session, with the keeper held off meanwhile. */
  <T> T locked(SessionWork<T> work) throws SQLException {
    synchronized (lock) {
      return work.run(session);
    }
  }

  /** Gives up the advisory lock and keeps the session open. */
  void unlock() throws SQLException {
    locked(
        s -> {
          s.unlock();
          return null;
        });
  }

  /** Starts writing the holder's heartbeat; {@code lost} hears of a connection lost meanwhile. */
  void keep(Consumer<SQLException> lost) {
    stopKeeping();
    keeper = new Keeper(session, lock, member, heartbeatInterval, monitor, lost);
  }

  boolean kept() {
    return keeper != null;
  }

  private void stopKeeping() {
    if (keeper != null) {
      keeper.stop();
      keeper = null;
    }
  }

  /** Stops the keeper and closes the session, which lets go of the lock with it. */
  void close() {
    stopKeeping();
    if (session != null) {
      synchronized (lock) {
        session.close();
      }
      session = null;
    }
  }
}
