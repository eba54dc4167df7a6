package io.sibus.engine.messaging;

import io.sibus.datastore.Reliability;
import java.util.Comparator;
import java.util.UUID;

/**
 * A message on a destination as the active member tracks it: its place in delivery order (priority,
 * then sequence) and its delivery state. Persistent entries hold no body (it stays in the data
 * store); nonpersistent ones hold the whole message. Guarded by its {@link QueueIndex}.
 */
final class Entry {
  /** Higher priority first, then the order of sending. */
  static final Comparator<Entry> DELIVERY_ORDER =
      Comparator.comparingInt((Entry e) -> -e.priority).thenComparingLong(e -> e.seq);

  /** Where the entry is in its life. */
  enum State {
    AVAILABLE,
    /** Picked for delivery; the lock is being recorded in the data store. */
    LOCKING,
    LOCKED,
    /** Acknowledged or released; the data store change is being committed. */
    SETTLING
  }

  final long seq;
  final String messageId;
  final int priority;
  final Reliability reliability;
  final long expiresAtMillis;
  final MemoryMessage memory;
  int deliveryCount;
  UUID receipt;
  long lockedUntilMillis;
  State state = State.AVAILABLE;

  Entry(
      long seq,
      String messageId,
      int priority,
      Reliability reliability,
      long expiresAtMillis,
      MemoryMessage memory,
      int deliveryCount) {
    this.seq = seq;
    this.messageId = messageId;
    this.priority = priority;
    this.reliability = reliability;
    this.expiresAtMillis = expiresAtMillis;
    this.memory = memory;
    this.deliveryCount = deliveryCount;
  }

  /**
   * This message's entry on the destination it is moved to: the same place in delivery order, not
   * delivered there yet; {@code moved} is the nonpersistent message as moved (null if persistent).
   */
  Entry movedAs(MemoryMessage moved) {
    return new Entry(seq, messageId, priority, reliability, expiresAtMillis, moved, 0);
  }

  boolean persistent() {
    return memory == null;
  }

  boolean expired(long now) {
    return expiresAtMillis != 0 && expiresAtMillis <= now;
  }
}
