package io.sibus.engine.health;

import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jboss.logging.Logger;

/**
 * Test-only fault injection (enabled by {@code sibus.engine.test-faults}, off by default): a real
 * JVM deadlock between two engine threads, and a writer loop that spins without progress, which
 * prove that the liveness check catches the errors an engine cannot detect in itself; a writer
 * ended by an {@link Error}; delivery locks whose rows are not read back after their commit; and
 * delivery locks read back late, which hold a receive's answer.
 */
@ApplicationScoped
public class Faults {
  private static final Logger LOG = Logger.getLogger(Faults.class);

  /** How late the {@code slow-locks} fault reads a batch's locked rows. */
  private static final long SLOW_LOCKS_MS = 3_000;

  private volatile boolean spinWriter;
  private final AtomicBoolean writerError = new AtomicBoolean();
  private final AtomicBoolean unreadLocks = new AtomicBoolean();
  private final AtomicBoolean slowLocks = new AtomicBoolean();

  private final Object first = new Object();
  private final Object second = new Object();

  /** The writer loop's next batch spins forever, without heartbeats. */
  public void spinWriter() {
    LOG.warn("Test fault injected: the group-commit writer will spin");
    spinWriter = true;
  }

  /** Called by the writer before each batch. */
  public void maybeSpin() {
    if (spinWriter) {
      while (spinWriter) {
        Thread.onSpinWait();
      }
    }
  }

  /** The writer's next batch ends it with an {@link Error}, before the batch is applied. */
  public void writerError() {
    LOG.warn("Test fault injected: the group-commit writer will end on an Error");
    writerError.set(true);
  }

  /** Called by the writer before each batch. */
  public void maybeFailWriter() {
    if (writerError.get() && writerError.compareAndSet(true, false)) {
      throw new InjectedError();
    }
  }

  /** The {@link Error} of the {@code writer-error} fault. */
  static final class InjectedError extends Error {
    InjectedError() {
      super("an Error injected as a test fault");
    }
  }

  /**
   * The rows of the next batch that locks messages for delivery are not handed over when they are
   * read: read with the commit (a batch that reads nothing before it, as a receive's alone), the
   * locks commit and the receive hears SIBUS0211E, as after a defect in reading them.
   */
  public void unreadLocks() {
    LOG.warn("Test fault injected: the next delivery lock's rows will not be read");
    unreadLocks.set(true);
  }

  /**
   * The rows of the next batch that locks messages for delivery are read {@link #SLOW_LOCKS_MS}
   * late: the receive's answer waits that long with its messages locked. (Read with the commit, as
   * a batch of receives and sends is; a batch with other work reads them before its commit.)
   */
  public void slowLocks() {
    LOG.warn("Test fault injected: the next delivery lock's rows will be read late");
    slowLocks.set(true);
  }

  /** Called as the rows of a batch's delivery locks are read back. */
  public void maybeFailLockRead() {
    if (unreadLocks.get() && unreadLocks.compareAndSet(true, false)) {
      throw new IllegalStateException("the locked rows were not read (a test fault)");
    }
    if (slowLocks.get() && slowLocks.compareAndSet(true, false)) {
      try {
        Thread.sleep(SLOW_LOCKS_MS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** Two threads take two monitors in opposite orders and block each other forever. */
  public void deadlock() {
    LOG.warn("Test fault injected: two threads will deadlock");
    Thread a = new Thread(() -> lockBoth(first, second), "sibus-fault-deadlock-a");
    Thread b = new Thread(() -> lockBoth(second, first), "sibus-fault-deadlock-b");
    a.setDaemon(true);
    b.setDaemon(true);
    a.start();
    b.start();
  }

  private static void lockBoth(Object outer, Object inner) {
    synchronized (outer) {
      pause();
      synchronized (inner) {
        LOG.error("unreachable: the deadlock fault did not deadlock");
      }
    }
  }

  private static void pause() {
    try {
      Thread.sleep(200);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
