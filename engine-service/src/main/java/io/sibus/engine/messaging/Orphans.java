package io.sibus.engine.messaging;

import io.sibus.engine.store.StoreErrors;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import org.jboss.logging.Logger;

/**
 * Messages of destinations that the bus configuration no longer has: they go to the exception
 * destination, at activation, when the bus file changes, and when the writer runs again after an
 * outage. A move that fails puts its persistent messages back in the index under their old
 * destination, where nothing receives them; they stay in the data store, and the housekeeping tries
 * the move again, {@link #FIRST_RETRY_MILLIS} later, then at twice the interval after each failure
 * up to {@link #LAST_RETRY_MILLIS}. While no failed move waits for its retry, the housekeeping
 * moves what a send or a delivery stream's batch stored under a removed destination after its move
 * ({@link #sweep}). A row that an attempt moved already (one that committed although it was
 * reported as failed) is not moved again, only indexed where it is.
 */
final class Orphans {
  static final long FIRST_RETRY_MILLIS = 5_000;
  static final long LAST_RETRY_MILLIS = 300_000;
  private static final Logger LOG = Logger.getLogger(Orphans.class);

  /** Moves a queue's drained entries to the exception destination ({@link ExceptionRouter}). */
  interface Mover {
    CompletableFuture<Void> moveAll(
        ActiveStore store, QueueIndex from, List<Entry> entries, String reason);
  }

  private final Predicate<String> configured;
  private final Mover mover;

  /**
   * Orphans of the destinations {@code configured} does not name, moved by {@code mover}.
   *
   * @param configured whether the bus configuration has a destination of the name, as it is now
   * @param mover moves a queue's drained entries to the exception destination
   */
  Orphans(Predicate<String> configured, Mover mover) {
    this.configured = configured;
    this.mover = mover;
  }

  /**
   * Moves the messages of every queue whose destination is gone, and forgets such queues, empty or
   * not. Not while the writer refuses work (the data store is unavailable): the move would fail;
   * they are moved when it runs again.
   */
  void move(ActiveStore store) {
    move(store, () -> true);
  }

  /** As {@link #move(ActiveStore)}, queue by queue while {@code goOn} holds. */
  private void move(ActiveStore store, BooleanSupplier goOn) {
    if (!store.writer.accepting()) {
      return;
    }
    for (QueueIndex queue : List.copyOf(store.queues())) {
      if (!goOn.getAsBoolean()) {
        return;
      }
      if (!configured.test(queue.name)) {
        // Forgotten, then retired as it is drained (an empty one too, so that none is left to
        // look at again): what a send, a stream's batch or a failed move adds meanwhile goes to a
        // new queue of the name, which the next pass finds.
        store.forget(queue);
        List<Entry> entries = queue.retire();
        if (!entries.isEmpty()) { // else empty, or another thread's pass took them
          move(store, queue, entries);
        }
      }
    }
  }

  private void move(ActiveStore store, QueueIndex queue, List<Entry> entries) {
    String reason =
        "SIBUS0302W destination " + queue.name + " no longer exists in the bus configuration";
    long retryBefore = store.orphansRetryAt.get();
    try {
      mover
          .moveAll(store, queue, entries, reason)
          .whenComplete(
              (moved, failure) -> {
                if (failure == null) {
                  // Moved: the housekeeping's passes move what comes later at once again, unless
                  // another move failed meanwhile and waits for its retry.
                  if (store.orphansRetryAt.compareAndSet(retryBefore, ActiveStore.NO_RETRY)) {
                    store.orphanMoveFailures.set(0);
                  }
                } else {
                  moveFailed(store, queue.name, entries, failure);
                }
              });
    } catch (RuntimeException e) {
      moveFailed(store, queue.name, entries, e);
    }
  }

  /**
   * The housekeeping's turn, a few times a second. A failed move whose retry is due is tried again.
   * While none waits for its retry, the messages indexed under a removed destination since the last
   * pass are moved: those of a send or a delivery stream's batch that committed as its destination
   * was removed (stored under that destination after the move took the others). (A retry that comes
   * due while the writer refuses work is dropped: the writer's return moves them, {@link
   * Messaging#resumed}, as do the passes after it.)
   */
  void sweep(ActiveStore store) {
    long due = store.orphansRetryAt.get();
    if (due == ActiveStore.NO_RETRY) {
      // Until a move fails meanwhile: what it puts back waits for its retry.
      move(store, () -> store.orphansRetryAt.get() == ActiveStore.NO_RETRY);
    } else if (System.nanoTime() - due >= 0
        && store.orphansRetryAt.compareAndSet(due, ActiveStore.NO_RETRY)) {
      move(store);
    }
  }

  /**
   * The persistent entries are still stored under {@code destination}, and go back to its queue (a
   * reload may have put them there already). The nonpersistent ones moved in memory before the
   * store was asked; a defect that stops the move before that loses them, as a restart would.
   */
  private static void moveFailed(
      ActiveStore store, String destination, List<Entry> entries, Throwable failure) {
    List<Entry> stored = entries.stream().filter(Entry::persistent).toList();
    Throwable cause =
        failure instanceof CompletionException && failure.getCause() != null
            ? failure.getCause()
            : failure;
    if (StoreErrors.isNotActive(cause)) {
      store.restore(destination, stored);
      return; // this member stops being active: the next one moves them
    }
    int failures = store.orphanMoveFailures.incrementAndGet();
    long delay = Math.min(LAST_RETRY_MILLIS, FIRST_RETRY_MILLIS << Math.min(failures - 1, 16));
    // The retry is set before they go back, or the housekeeping's next pass would move them at
    // once.
    store.orphansRetryAt.set(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(delay));
    store.restore(destination, stored);
    LOG.warnf(
        "SIBUS0304W %d message(s) of destination %s, which no longer exists in the bus"
            + " configuration, could not be moved to the exception destination (%s). They stay in"
            + " the data store under %s; the move is tried again in %d s, or when the data store"
            + " is back. User action: if it fails again, see the data store error logged before"
            + " this message.",
        stored.size(), destination, cause.getMessage(), destination, delay / 1000);
  }
}
