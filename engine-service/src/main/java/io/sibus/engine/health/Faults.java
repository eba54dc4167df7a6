package io.sibus.engine.health;

import jakarta.enterprise.context.ApplicationScoped;
import java.util.Arrays;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jboss.logging.Logger;

/**
 * Test-only fault injection (enabled by {@code sibus.engine.test-faults}, off by default): a real
 * JVM deadlock between two engine threads, and a writer loop that spins without progress, which
 * prove that the liveness check catches the errors an engine cannot detect in itself; threads of
 * the member's work ended by an {@link Error} ({@link Duty}); delivery locks whose rows are not
 * read back after their commit; and delivery locks read back late, which hold a receive's answer.
 */
@ApplicationScoped
public class Faults {
  private static final Logger LOG = Logger.getLogger(Faults.class);

  /** How late the {@code slow-locks} fault reads a batch's locked rows. */
  private static final long SLOW_LOCKS_MS = 3_000;

  /**
   * The longest the {@code hold-inserts} fault holds a batch: a test that never releases it does
   * not hold the writer for ever.
   */
  private static final long HOLD_INSERTS_MAX_MS = 60_000;

  private volatile boolean spinWriter;
  private final Set<Duty> failingDuties = ConcurrentHashMap.newKeySet();
  private final AtomicBoolean unreadLocks = new AtomicBoolean();
  private final AtomicBoolean slowLocks = new AtomicBoolean();
  private final AtomicBoolean holdInserts = new AtomicBoolean();
  private volatile CountDownLatch insertsReleased = new CountDownLatch(0);
  private final AtomicBoolean unindexedMove = new AtomicBoolean();

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

  /**
   * A thread of the member's work, or a step of its life cycle, that the {@code *-error} faults end
   * with an Error, or with a RuntimeException where that is what it cannot go on after (a defect).
   */
  public enum Duty {
    WRITER("writer-error", "the group-commit writer, before its next batch", Failure.ERROR),
    STREAM_SENDER(
        "stream-sender-error", "a delivery stream's sender, at its next round", Failure.ERROR),
    HOUSEKEEPING("housekeeping-error", "the housekeeping, at its next run", Failure.ERROR),
    VACUUMING(
        "vacuuming-error", "the vacuuming of the queue tables, at its next check", Failure.ERROR),
    /**
     * A RuntimeException: the flush retries what fails within a stream's flush, and an Error
     * anywhere in it ends the member as in the other duties; a defect outside a stream's flush is
     * the path that had no handling.
     */
    STREAM_FLUSH(
        "stream-flush-error",
        "the next flush of the delivery streams, at its completion",
        Failure.DEFECT),
    STANDBY(
        "standby-error", "a standby's wait for the data store, at its next attempt", Failure.ERROR),
    /**
     * Lasting: a writer that ends hands what committed to the completer once more, which a machine
     * out of threads would refuse as well.
     */
    COMPLETER_START(
        "completer-start-error",
        "every hand-over to the group commit's completer, as if no thread could start for it",
        Failure.LASTING_ERROR),
    /**
     * A step of the life cycle: the member stops serving and lets the data store go, whatever
     * stopping the work fails with, so that a standby takes over.
     */
    STOP("stop-error", "the next stop of the member's messaging work, as it begins", Failure.ERROR);

    private final String fault;
    private final String where;
    private final Failure failure;

    Duty(String fault, String where, Failure failure) {
      this.fault = fault;
      this.where = where;
      this.failure = failure;
    }

    /** The duty whose fault is named {@code fault} in {@code POST /api/v1/test/faults/{fault}}. */
    public static Optional<Duty> ofFault(String fault) {
      return Arrays.stream(values()).filter(d -> d.fault.equals(fault)).findFirst();
    }
  }

  /** How a duty's fault ends it. */
  private enum Failure {
    /** An Error, at its next turn. */
    ERROR,
    /** A RuntimeException, at its next turn. */
    DEFECT,
    /** An Error, at every turn from now on. */
    LASTING_ERROR
  }

  /** {@code duty} ends its thread with an {@link Error} (or its defect), as its fault says. */
  public void failNext(Duty duty) {
    LOG.warnf(
        "Test fault injected: %s will end on %s",
        duty.where, duty.failure == Failure.DEFECT ? "a RuntimeException" : "an Error");
    failingDuties.add(duty);
  }

  /** Called by {@code duty} at each turn. */
  public void maybeFail(Duty duty) {
    if (failingDuties.isEmpty()) {
      return;
    }
    boolean fails =
        duty.failure == Failure.LASTING_ERROR
            ? failingDuties.contains(duty)
            : failingDuties.remove(duty);
    if (!fails) {
      return;
    }
    if (duty.failure == Failure.DEFECT) {
      throw new IllegalStateException("a defect injected as a test fault");
    }
    throw new InjectedError();
  }

  /** The {@link Error} of the {@code *-error} faults. */
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

  /**
   * The next batch that stores sent messages waits, its transaction open, until {@link
   * #releaseInserts} (at most {@link #HOLD_INSERTS_MAX_MS}) before it stores them: as a slow
   * commit, it lets the bus change meanwhile.
   */
  public void holdInserts() {
    LOG.warn("Test fault injected: the next batch of sent messages will wait to be stored");
    CountDownLatch before = insertsReleased;
    insertsReleased = new CountDownLatch(1);
    before.countDown(); // a batch held before goes on: one batch is held at a time
    holdInserts.set(true);
  }

  /** The batch that {@link #holdInserts} holds goes on (nothing, before a hold). */
  public void releaseInserts() {
    insertsReleased.countDown();
  }

  /** Called as a batch begins to store sent messages. */
  public void maybeHoldInserts() {
    if (holdInserts.get() && holdInserts.compareAndSet(true, false)) {
      LOG.warn("Test fault: a batch of sent messages waits to be stored until release-inserts");
      try {
        insertsReleased.await(HOLD_INSERTS_MAX_MS, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /**
   * The next move of messages to the exception destination commits, but the index is not told: its
   * caller hears a failure, as after a defect once the transaction committed.
   */
  public void unindexedMove() {
    LOG.warn("Test fault injected: the next move to the exception destination will not be indexed");
    unindexedMove.set(true);
  }

  /** Called as a committed move to the exception destination updates the index. */
  public void maybeFailMoveIndex() {
    if (unindexedMove.get() && unindexedMove.compareAndSet(true, false)) {
      throw new IllegalStateException("the moved messages were not indexed (a test fault)");
    }
  }

  /** Called as the rows of a batch's delivery locks are read back. */
  public void maybeFailLockRead() {
    if (unreadLocks.get() && unreadLocks.compareAndSet(true, false)) {
      throw new IllegalStateException("the locked rows were not read (a test fault)");
    }
    if (slowLocks.get() && slowLocks.compareAndSet(true, false)) {
      sleep(SLOW_LOCKS_MS);
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
    sleep(200);
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
