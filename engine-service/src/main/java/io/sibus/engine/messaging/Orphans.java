package io.sibus.engine.messaging;

import java.util.List;
import java.util.concurrent.CompletionException;
import org.jboss.logging.Logger;

/**
 * Messages of destinations that the bus configuration no longer has: they go to the exception
 * destination, at activation, when the bus file changes, and when the writer runs again after an
 * outage. A move that fails puts its messages back in the index under their old destination, and
 * the housekeeping tries it again {@link #RETRY_MILLIS} later; until then they stay in the data
 * store and in the index, where nothing receives them.
 */
final class Orphans {
  static final long RETRY_MILLIS = 5_000;
  private static final Logger LOG = Logger.getLogger(Orphans.class);

  private final Destinations destinations;
  private final ExceptionRouter exceptions;

  Orphans(Destinations destinations, ExceptionRouter exceptions) {
    this.destinations = destinations;
    this.exceptions = exceptions;
  }

  /**
   * Moves the messages of every queue whose destination is gone. Not while the writer refuses work
   * (the data store is unavailable): the move would fail; they are moved when it runs again.
   */
  void move(ActiveStore store) {
    if (!store.writer.accepting()) {
      return;
    }
    for (QueueIndex queue : List.copyOf(store.queues())) {
      if (destinations.find(queue.name).isEmpty() && !queue.isEmpty()) {
        List<Entry> entries = queue.drainAll();
        if (entries.isEmpty()) {
          continue; // a concurrent pass (the bus file's poller, or the housekeeping) took them
        }
        store.forget(queue);
        exceptions
            .moveAll(
                store,
                queue,
                entries,
                "SIBUS0302W destination "
                    + queue.name
                    + " no longer exists in the bus configuration")
            .whenComplete(
                (moved, failure) -> {
                  if (failure != null) {
                    moveFailed(store, queue.name, entries, failure);
                  }
                });
      }
    }
  }

  /** The housekeeping's turn: a failed move whose retry is due is tried again. */
  void retryIfDue(ActiveStore store, long now) {
    long due = store.orphansRetryAt;
    if (due != 0 && now >= due) {
      store.orphansRetryAt = 0;
      move(store);
    }
  }

  /**
   * The nonpersistent entries moved in memory; the persistent ones are still stored under {@code
   * destination}, and go back to its queue (a reload may have put them there already).
   */
  private static void moveFailed(
      ActiveStore store, String destination, List<Entry> entries, Throwable failure) {
    List<Entry> stored = entries.stream().filter(Entry::persistent).toList();
    Throwable cause =
        failure instanceof CompletionException && failure.getCause() != null
            ? failure.getCause()
            : failure;
    store.queue(destination).restore(stored);
    store.orphansRetryAt = System.currentTimeMillis() + RETRY_MILLIS;
    LOG.warnf(
        "SIBUS0304W %d message(s) of destination %s, which no longer exists in the bus"
            + " configuration, could not be moved to the exception destination (%s). They stay in"
            + " the data store, and the move is tried again in %d s. User action: if it fails"
            + " again, see the data store error logged before this message.",
        stored.size(), destination, cause.getMessage(), RETRY_MILLIS / 1000);
  }
}
