package io.sibus.engine.messaging;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

/**
 * The delivery state of one destination on the active member: what is available in delivery order,
 * what is locked by which receipt, and a signal for receivers waiting for messages. All methods are
 * short and synchronized; data store work happens outside.
 */
final class QueueIndex {
  final String name;
  private final TreeSet<Entry> available = new TreeSet<>(Entry.DELIVERY_ORDER);
  private final Map<UUID, Entry> locked = new HashMap<>();
  private final Map<Long, Entry> all = new HashMap<>();
  private CompletableFuture<Void> signal = new CompletableFuture<>();
  private int
      expiring; // entries with a time to live: the expiry scan is skipped when there are none
  private boolean retired; // its destination's messages were moved away: it takes no more

  QueueIndex(String name) {
    this.name = name;
  }

  /** What a pick found: entries to deliver, expired entries removed, the signal to wait on. */
  record Pick(List<Entry> picked, List<Entry> expired, CompletableFuture<Void> signal) {}

  synchronized void add(Entry entry) {
    if (all.put(entry.seq, entry) == null && entry.expiresAtMillis != 0) {
      expiring++;
    }
    if (entry.state == Entry.State.LOCKED) {
      locked.put(entry.receipt, entry);
    } else {
      entry.state = Entry.State.AVAILABLE;
      available.add(entry);
      wake();
    }
  }

  /**
   * Adds {@code entry}, unless this queue is {@link #retire retired}: then the entry belongs in the
   * queue that replaced it, and the caller asks the store for that one ({@link ActiveStore#index}).
   */
  synchronized boolean offer(Entry entry) {
    if (retired) {
      return false;
    }
    add(entry);
    return true;
  }

  /** Adds {@code entry} unless the index holds its message already. */
  synchronized void addIfAbsent(Entry entry) {
    if (!all.containsKey(entry.seq)) {
      add(entry);
    }
  }

  /**
   * Takes up to {@code max} available messages for delivery, locking each with a new receipt until
   * {@code lockedUntil}.
   */
  synchronized Pick pick(int max, long now, long lockedUntil) {
    List<Entry> picked = new ArrayList<>();
    List<Entry> expired = new ArrayList<>();
    Iterator<Entry> it = available.iterator();
    while (it.hasNext() && picked.size() < max) {
      Entry entry = it.next();
      it.remove();
      if (entry.expired(now)) {
        forget(entry);
        expired.add(entry);
        continue;
      }
      entry.deliveryCount++;
      entry.receipt = UUID.randomUUID();
      entry.lockedUntilMillis = lockedUntil;
      entry.state = entry.persistent() ? Entry.State.LOCKING : Entry.State.LOCKED;
      locked.put(entry.receipt, entry);
      picked.add(entry);
    }
    return new Pick(picked, expired, signal);
  }

  /**
   * The entries go back to the queue: the data store did not record their locks, or ({@code
   * lockCommitted}) recorded them but the engine could not read the rows back. A recorded lock
   * counted a delivery attempt in the store, so a persistent entry keeps it: the index counts what
   * the store does, and after a failover the next member reads the same count.
   */
  synchronized void unpick(List<Entry> entries, boolean lockCommitted) {
    for (Entry entry : entries) {
      locked.remove(entry.receipt);
      if (!(lockCommitted && entry.persistent())) {
        entry.deliveryCount--;
      }
      entry.receipt = null;
      if (all.containsKey(entry.seq)) {
        entry.state = Entry.State.AVAILABLE;
        available.add(entry);
      }
    }
    wake();
  }

  synchronized void lockRecorded(List<Entry> entries) {
    for (Entry entry : entries) {
      if (entry.state == Entry.State.LOCKING) {
        entry.state = Entry.State.LOCKED;
      }
    }
  }

  /**
   * Starts settling (acknowledging or releasing) the message locked by {@code receipt}; null when
   * the receipt is unknown or its lock has expired.
   */
  synchronized Entry beginSettle(UUID receipt, long now) {
    Entry entry = locked.get(receipt);
    if (entry == null || entry.state != Entry.State.LOCKED || entry.lockedUntilMillis <= now) {
      return null;
    }
    locked.remove(receipt);
    entry.state = Entry.State.SETTLING;
    return entry;
  }

  /** Settling failed: the entry is locked again (its lock may expire as usual). */
  synchronized void settleFailed(Entry entry) {
    entry.state = Entry.State.LOCKED;
    locked.put(entry.receipt, entry);
  }

  /** The message is gone from this destination (acknowledged, moved, expired). */
  synchronized void remove(Entry entry) {
    forget(entry);
    available.remove(entry);
    if (entry.receipt != null) {
      locked.remove(entry.receipt);
    }
  }

  /** The message may be delivered again. */
  synchronized void makeAvailable(Entry entry) {
    if (entry.receipt != null) {
      locked.remove(entry.receipt);
    }
    entry.receipt = null;
    entry.lockedUntilMillis = 0;
    if (all.containsKey(entry.seq)) {
      entry.state = Entry.State.AVAILABLE;
      available.add(entry);
      wake();
    }
  }

  /** Removes and returns the locked entries whose lock expired at {@code now}. */
  synchronized List<Entry> expireLocks(long now) {
    List<Entry> expired = new ArrayList<>();
    Iterator<Entry> it = locked.values().iterator();
    while (it.hasNext()) {
      Entry entry = it.next();
      if (entry.state == Entry.State.LOCKED && entry.lockedUntilMillis <= now) {
        it.remove();
        entry.state = Entry.State.SETTLING;
        expired.add(entry);
      }
    }
    return expired;
  }

  /** Removes and returns available entries whose time to live has passed. */
  synchronized List<Entry> removeExpired(long now) {
    List<Entry> expired = new ArrayList<>();
    if (expiring == 0) {
      return expired;
    }
    Iterator<Entry> it = available.iterator();
    while (it.hasNext()) {
      Entry entry = it.next();
      if (entry.expired(now)) {
        it.remove();
        forget(entry);
        expired.add(entry);
      }
    }
    return expired;
  }

  /** Every entry, taken out: to read the index again from the store, or to {@link #retire}. */
  synchronized List<Entry> drainAll() {
    List<Entry> entries = new ArrayList<>(all.values());
    all.clear();
    expiring = 0;
    available.clear();
    locked.clear();
    return entries;
  }

  /**
   * Every entry, for moving a whole destination away, once the store has forgotten this queue
   * ({@link ActiveStore#forget}): it takes no more entries after, so that one added as the move
   * begins (a send that committed as its destination was removed) lands in a new queue of the name,
   * which the next move finds, rather than in this one, which nothing reads.
   */
  synchronized List<Entry> retire() {
    retired = true;
    List<Entry> entries = drainAll();
    wake(); // a receiver waiting here, or picking later, takes nothing more from it
    return entries;
  }

  synchronized boolean retired() {
    return retired;
  }

  /**
   * Entries that were drained ({@link #retire}, {@link #drainAll}) come back, available (a lock
   * they held went with the drain), unless the index holds their message again already: a reload
   * after an outage may have read it back, locked by a consumer, and it must not be available as
   * well. A retired queue takes none of them (false), as in {@link #offer}.
   */
  synchronized boolean restore(List<Entry> entries) {
    if (retired) {
      return false;
    }
    for (Entry entry : entries) {
      if (!all.containsKey(entry.seq)) {
        entry.receipt = null;
        entry.lockedUntilMillis = 0;
        entry.state = Entry.State.AVAILABLE;
        add(entry);
      }
    }
    return true;
  }

  private void forget(Entry entry) {
    if (all.remove(entry.seq) != null && entry.expiresAtMillis != 0) {
      expiring--;
    }
  }

  synchronized int depth() {
    return all.size();
  }

  synchronized int availableCount() {
    return available.size();
  }

  synchronized boolean isEmpty() {
    return all.isEmpty();
  }

  /**
   * Wakes every waiting receiver (they pick again). A retired queue's signal stays completed: a
   * receiver that picks from it later does not wait either.
   */
  synchronized void wake() {
    CompletableFuture<Void> current = signal;
    if (!retired) {
      signal = new CompletableFuture<>();
    }
    current.complete(null);
  }
}
