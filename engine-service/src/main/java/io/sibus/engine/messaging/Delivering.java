package io.sibus.engine.messaging;

import io.sibus.datastore.DeliveryLock;
import io.sibus.datastore.ErrorClass;
import io.sibus.datastore.MessageRow;
import io.sibus.datastore.Reliability;
import io.sibus.datastore.StoreException;
import io.sibus.engine.error.ApiException;
import io.sibus.engine.metrics.EngineMetrics;
import io.sibus.engine.store.LockOp;
import io.sibus.engine.store.SeqOp;
import io.sibus.engine.store.StoreErrors;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Receive, acknowledge and release. A receive picks from the in-memory index (priority order,
 * persistent and nonpersistent together), records the locks of persistent messages in the data
 * store in the same group commit as other work, and reads their bodies in that statement.
 */
final class Delivering {
  private final EngineMetrics metrics;
  private final ExceptionRouter exceptions;
  private final Executor executor;

  Delivering(EngineMetrics metrics, ExceptionRouter exceptions, Executor executor) {
    this.metrics = metrics;
    this.exceptions = exceptions;
    this.executor = executor;
  }

  CompletableFuture<List<Delivery>> receive(
      ActiveStore store,
      Destination destination,
      int max,
      long lockMs,
      long deadlineMillis,
      BooleanSupplier abandoned) {
    if (abandoned.getAsBoolean()) {
      return CompletableFuture.completedFuture(List.of());
    }
    QueueIndex queue = store.queue(destination.name());
    long now = System.currentTimeMillis();
    QueueIndex.Pick pick = queue.pick(max, now, now + lockMs);
    deleteExpired(store, pick.expired());
    if (pick.picked().isEmpty()) {
      long remaining = deadlineMillis - now;
      if (remaining <= 0) {
        return CompletableFuture.completedFuture(List.of());
      }
      return afterSignal(
          queue,
          pick.signal(),
          remaining,
          () -> receive(store, destination, max, lockMs, deadlineMillis, abandoned));
    }
    List<Entry> persistent = pick.picked().stream().filter(Entry::persistent).toList();
    if (persistent.isEmpty()) {
      return CompletableFuture.completedFuture(deliveries(destination, pick.picked(), Map.of()));
    }
    return recordLocks(store, queue, destination, pick.picked(), persistent);
  }

  /**
   * Picks again ({@code again}) once {@code queue} signals new messages or {@code waitMillis} pass.
   * A queue retired meanwhile answers empty: the destination was removed and its messages moved to
   * the exception destination; one sent late waits in a new queue of the name for the next move,
   * not for this receive.
   */
  private CompletableFuture<List<Delivery>> afterSignal(
      QueueIndex queue,
      CompletableFuture<Void> signal,
      long waitMillis,
      Supplier<CompletableFuture<List<Delivery>>> again) {
    CompletableFuture<Void> wake = new CompletableFuture<>();
    signal.thenRun(() -> wake.complete(null));
    wake.completeOnTimeout(null, waitMillis, TimeUnit.MILLISECONDS);
    return wake.thenComposeAsync(
        x -> queue.retired() ? CompletableFuture.completedFuture(List.of()) : again.get(),
        executor);
  }

  /**
   * Records the locks of the {@code persistent} entries of {@code picked} in the data store, then
   * delivers those whose rows it read back (and the nonpersistent ones); a failure gives them back.
   */
  private CompletableFuture<List<Delivery>> recordLocks(
      ActiveStore store,
      QueueIndex queue,
      Destination destination,
      List<Entry> picked,
      List<Entry> persistent) {
    List<DeliveryLock> locks = new ArrayList<>();
    persistent.forEach(e -> locks.add(new DeliveryLock(e.seq, e.receipt, e.lockedUntilMillis)));
    return store
        .writer
        .submit(new LockOp(locks))
        .handle(
            (rows, failure) -> {
              if (failure != null) {
                queue.unpick(picked, StoreErrors.isUnreadAfterCommit(failure));
                throw failure instanceof CompletionException ce
                    ? ce
                    : new CompletionException(failure);
              }
              Map<Long, MessageRow> bySeq = verified(store, rows);
              List<Entry> delivered = new ArrayList<>();
              for (Entry entry : picked) {
                if (!entry.persistent() || bySeq.containsKey(entry.seq)) {
                  delivered.add(entry);
                } else {
                  queue.remove(entry); // deleted meanwhile
                }
              }
              queue.lockRecorded(persistent);
              return deliveries(destination, delivered, bySeq);
            });
  }

  /** Every row read back must match its checksum: a mismatch is a corrupted store. */
  private static Map<Long, MessageRow> verified(ActiveStore store, List<MessageRow> rows) {
    Map<Long, MessageRow> bySeq = new HashMap<>();
    for (MessageRow row : rows) {
      if (!row.checksumValid()) {
        StoreException corrupted =
            new StoreException(
                ErrorClass.GLOBAL,
                "SIBUS1539E",
                "Message "
                    + row.messageId()
                    + " (sequence "
                    + row.seq()
                    + ") does not match its checksum: the data store is corrupted.",
                "Restore the data store from a backup (then start the engine in"
                    + " restart-after-restore mode), or remove the damaged message, then start"
                    + " the engine again.");
        store.failures.storeFailed(corrupted);
        throw new ApiException(
                503,
                "SIBUS0050E",
                "The engine stopped processing after a global error: " + corrupted.getMessage(),
                corrupted.userAction())
            .retryAfter(5);
      }
      bySeq.put(row.seq(), row);
    }
    return bySeq;
  }

  private List<Delivery> deliveries(
      Destination destination, List<Entry> entries, Map<Long, MessageRow> rows) {
    List<Delivery> out = new ArrayList<>(entries.size());
    for (Entry e : entries) {
      metrics.received(destination.name(), e.reliability);
      String receipt = e.receipt.toString();
      out.add(
          e.persistent()
              ? Delivery.of(rows.get(e.seq), receipt, destination.name())
              : Delivery.of(e.memory, e.deliveryCount, receipt, destination.name()));
    }
    return out;
  }

  CompletableFuture<Void> acknowledge(ActiveStore store, Destination destination, UUID receipt) {
    QueueIndex queue = store.queue(destination.name());
    Entry entry = queue.beginSettle(receipt, System.currentTimeMillis());
    if (entry == null) {
      throw ApiException.receiptGone(receipt.toString());
    }
    return remove(store, destination, queue, List.of(entry));
  }

  /**
   * Acknowledges receipts together. Completes with the receipts whose locks are gone (expired, or
   * acknowledged already).
   */
  CompletableFuture<List<UUID>> acknowledgeAll(
      ActiveStore store, Destination destination, List<UUID> receipts) {
    QueueIndex queue = store.queue(destination.name());
    long now = System.currentTimeMillis();
    List<UUID> gone = new ArrayList<>();
    List<Entry> settling = new ArrayList<>(receipts.size());
    for (UUID receipt : receipts) {
      Entry entry = queue.beginSettle(receipt, now);
      if (entry == null) {
        gone.add(receipt);
      } else {
        settling.add(entry);
      }
    }
    return remove(store, destination, queue, settling).thenApply(v -> gone);
  }

  /**
   * Removes acknowledged messages. The persistent ones are deleted by one operation: they commit in
   * one transaction and cost the writer one queued operation, not one per message.
   */
  private CompletableFuture<Void> remove(
      ActiveStore store, Destination destination, QueueIndex queue, List<Entry> entries) {
    List<Entry> persistent = new ArrayList<>(entries.size());
    for (Entry entry : entries) {
      if (entry.persistent()) {
        persistent.add(entry);
      } else {
        queue.remove(entry);
        store.memoryMessages.decrementAndGet();
        metrics.acknowledged(destination.name(), entry.reliability);
      }
    }
    if (persistent.isEmpty()) {
      return CompletableFuture.completedFuture(null);
    }
    return settle(
        store,
        queue,
        SeqOp.Kind.DELETE,
        persistent,
        entry -> {
          queue.remove(entry);
          metrics.acknowledged(destination.name(), entry.reliability);
        });
  }

  /**
   * Settles persistent entries by one writer operation of {@code kind}: once it commits, {@code
   * settled} takes each; if it fails, each is locked again, and its lock expires as usual.
   */
  private static CompletableFuture<Void> settle(
      ActiveStore store,
      QueueIndex queue,
      SeqOp.Kind kind,
      List<Entry> entries,
      Consumer<Entry> settled) {
    long[] seqs = entries.stream().mapToLong(e -> e.seq).toArray();
    return store
        .writer
        .submit(new SeqOp(kind, seqs))
        .whenComplete(
            (v, failure) -> {
              for (Entry entry : entries) {
                if (failure != null) {
                  queue.settleFailed(entry);
                } else {
                  settled.accept(entry);
                }
              }
            });
  }

  /**
   * Gives back the messages locked for a receive whose caller went away before it was answered, as
   * the expiry of their locks would ({@link #expireLocks}), at once: a best-effort one is dropped,
   * one whose redeliveries are used up moves to the exception destination, the others are made
   * available again, the persistent ones after one operation that unlocks them all. Their
   * deliveries stay counted.
   */
  void giveBack(ActiveStore store, Destination destination, List<UUID> receipts) {
    QueueIndex queue = store.queue(destination.name());
    long now = System.currentTimeMillis();
    List<Entry> exhausted = new ArrayList<>();
    List<Entry> unlocking = new ArrayList<>();
    for (UUID receipt : receipts) {
      Entry entry = queue.beginSettle(receipt, now);
      if (entry == null) {
        continue; // its lock expired meanwhile
      }
      if (entry.reliability == Reliability.BEST_EFFORT_NONPERSISTENT) {
        discard(store, queue, entry);
      } else if (destination.redeliveriesExhausted(entry.deliveryCount)) {
        exhausted.add(entry);
      } else if (entry.persistent()) {
        unlocking.add(entry);
      } else {
        queue.makeAvailable(entry);
      }
    }
    if (!exhausted.isEmpty()) {
      exceptions.moveAll(store, queue, exhausted, exhausted(destination, exhausted.get(0)));
    }
    if (!unlocking.isEmpty()) {
      settle(store, queue, SeqOp.Kind.UNLOCK, unlocking, queue::makeAvailable);
    }
  }

  CompletableFuture<Void> release(ActiveStore store, Destination destination, UUID receipt) {
    QueueIndex queue = store.queue(destination.name());
    Entry entry = queue.beginSettle(receipt, System.currentTimeMillis());
    if (entry == null) {
      throw ApiException.receiptGone(receipt.toString());
    }
    if (entry.reliability == Reliability.BEST_EFFORT_NONPERSISTENT) {
      discard(store, queue, entry);
      return CompletableFuture.completedFuture(null);
    }
    if (destination.redeliveriesExhausted(entry.deliveryCount)) {
      return exceptions.move(store, queue, entry, exhausted(destination, entry));
    }
    if (!entry.persistent()) {
      queue.makeAvailable(entry);
      return CompletableFuture.completedFuture(null);
    }
    return settle(store, queue, SeqOp.Kind.UNLOCK, List.of(entry), queue::makeAvailable);
  }

  /**
   * Locks that expired: the messages are delivered again, or moved to the exception destination
   * when their redeliveries are used up. The data store needs no change for a redelivery: a lock in
   * the past is no lock.
   */
  void expireLocks(ActiveStore store, Destinations destinations, long now) {
    for (QueueIndex queue : store.queues()) {
      List<Entry> expired = queue.expireLocks(now);
      if (expired.isEmpty()) {
        continue;
      }
      Destination destination = destinations.find(queue.name).orElse(null);
      List<Entry> exhausted = new ArrayList<>();
      for (Entry entry : expired) {
        if (entry.reliability == Reliability.BEST_EFFORT_NONPERSISTENT) {
          discard(store, queue, entry);
        } else if (destination != null && destination.redeliveriesExhausted(entry.deliveryCount)) {
          exhausted.add(entry);
        } else {
          queue.makeAvailable(entry);
        }
      }
      if (!exhausted.isEmpty()) {
        exceptions.moveAll(store, queue, exhausted, exhausted(destination, exhausted.get(0)));
      }
    }
  }

  /** Best-effort messages are never delivered twice: an unacknowledged one is dropped. */
  private static void discard(ActiveStore store, QueueIndex queue, Entry entry) {
    queue.remove(entry);
    store.memoryMessages.decrementAndGet();
  }

  /** Removes messages whose time to live has passed. */
  void removeExpired(ActiveStore store, long now) {
    for (QueueIndex queue : store.queues()) {
      deleteExpired(store, queue.removeExpired(now));
    }
  }

  private void deleteExpired(ActiveStore store, List<Entry> expired) {
    long[] seqs = expired.stream().filter(Entry::persistent).mapToLong(e -> e.seq).toArray();
    long memory = expired.stream().filter(e -> !e.persistent()).count();
    store.memoryMessages.addAndGet((int) -memory);
    if (seqs.length > 0) {
      store.writer.submit(new SeqOp(SeqOp.Kind.DELETE, seqs));
    }
  }

  private static String exhausted(Destination destination, Entry entry) {
    return "SIBUS0303W delivered "
        + entry.deliveryCount
        + " times, over the maxRedeliveries of "
        + destination.maxRedeliveries()
        + " of destination "
        + destination.name();
  }
}
