package io.sibus.engine.messaging;

import io.sibus.engine.store.GroupCommit;
import io.sibus.engine.store.StoreFailures;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Everything that exists only while this member is active: the epoch it holds, its writer, the
 * delivery index of every destination, the next sequence and message id. Thrown away whole when the
 * member stops being active, so nothing of an old activation can leak into a new one.
 */
final class ActiveStore {
  final long epoch;
  final UUID incarnation;
  final GroupCommit writer;
  final StoreFailures failures;
  final MessageIds ids;
  final AtomicLong seq = new AtomicLong();
  final AtomicInteger memoryMessages = new AtomicInteger();
  final NonpersistentKeys memoryKeys = new NonpersistentKeys();

  /** {@link #orphansRetryAt} when no move of a removed destination's messages waits. */
  static final long NO_RETRY = Long.MIN_VALUE;

  /** When ({@link System#nanoTime}) a failed move of orphaned messages is tried again. */
  final AtomicLong orphansRetryAt = new AtomicLong(NO_RETRY);

  /** Failed moves of orphaned messages since the last that succeeded: the retry backs off. */
  final AtomicInteger orphanMoveFailures = new AtomicInteger();

  /** This activation's outgoing delivery streams. */
  volatile io.sibus.engine.streams.Outbound outbound;

  private final Map<String, QueueIndex> queues = new ConcurrentHashMap<>();

  ActiveStore(
      String engine, long epoch, UUID incarnation, GroupCommit writer, StoreFailures failures) {
    this.epoch = epoch;
    this.incarnation = incarnation;
    this.writer = writer;
    this.failures = failures;
    this.ids = new MessageIds(engine, incarnation);
  }

  QueueIndex queue(String destination) {
    return queues.computeIfAbsent(destination, QueueIndex::new);
  }

  QueueIndex existingQueue(String destination) {
    return queues.get(destination);
  }

  Collection<QueueIndex> queues() {
    return queues.values();
  }

  /**
   * Adds {@code entry} to the queue of {@code destination}: to a new one if the queue its caller
   * could have looked up before was retired meanwhile ({@link QueueIndex#retire}).
   */
  void index(String destination, Entry entry) {
    QueueIndex queue = queue(destination);
    while (!queue.offer(entry)) {
      forget(queue); // as whoever retired it did already
      queue = queue(destination);
    }
  }

  /**
   * {@link QueueIndex#restore}s {@code entries} to the queue of {@code destination}, to a new one
   * if it was retired, as {@link #index} does.
   */
  void restore(String destination, List<Entry> entries) {
    QueueIndex queue = queue(destination);
    while (!queue.restore(entries)) {
      forget(queue);
      queue = queue(destination);
    }
  }

  /** Drops {@code queue} from the index, unless another queue of its name replaced it meanwhile. */
  void forget(QueueIndex queue) {
    queues.remove(queue.name, queue);
  }
}
