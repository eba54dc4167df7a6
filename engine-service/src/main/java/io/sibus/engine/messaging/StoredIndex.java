package io.sibus.engine.messaging;

import io.sibus.datastore.IndexRow;
import io.sibus.datastore.MessageStore;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;

/**
 * The delivery index of the stored messages, read from the data store: whole at activation, and its
 * persistent part again after an outage. A message whose receipt lock has not expired comes back
 * locked, so that the consumer that holds it may still acknowledge it here.
 */
final class StoredIndex {
  private final DataSource dataSource;
  private final MessageStore messages;

  StoredIndex(DataSource dataSource, MessageStore messages) {
    this.dataSource = dataSource;
    this.messages = messages;
  }

  /** Fills a new activation's index and its next sequence. */
  void load(ActiveStore store) throws SQLException {
    long now = System.currentTimeMillis();
    try (Connection c = dataSource.getConnection()) {
      store.seq.set(messages.maxSeq(c));
      messages.loadIndex(c, row -> store.index(row.destination(), entry(row, now)));
    }
  }

  /**
   * Replaces the persistent part of the index with what the store holds (after an outage, when the
   * outcome of the last commits is unknown). Nonpersistent messages are kept.
   */
  void reloadPersistent(ActiveStore store) throws SQLException {
    long now = System.currentTimeMillis();
    Map<String, List<Entry>> loaded = new HashMap<>();
    try (Connection c = dataSource.getConnection()) {
      messages.loadIndex(
          c,
          row ->
              loaded
                  .computeIfAbsent(row.destination(), d -> new ArrayList<>())
                  .add(entry(row, now)));
    }
    for (QueueIndex queue : store.queues()) {
      for (Entry entry : queue.drainAll()) {
        if (!entry.persistent()) {
          store.index(queue.name, entry);
        }
      }
    }
    loaded.forEach(
        (destination, entries) -> entries.forEach(entry -> store.index(destination, entry)));
  }

  private static Entry entry(IndexRow row, long now) {
    Entry entry =
        new Entry(
            row.seq(),
            row.messageId(),
            row.priority(),
            row.reliability(),
            row.expiresAtMillis(),
            null,
            row.deliveryCount());
    if (row.receipt() != null && row.lockedUntilMillis() > now) {
      entry.receipt = row.receipt();
      entry.lockedUntilMillis = row.lockedUntilMillis();
      entry.state = Entry.State.LOCKED; // a consumer may still acknowledge it here
    }
    return entry;
  }
}
