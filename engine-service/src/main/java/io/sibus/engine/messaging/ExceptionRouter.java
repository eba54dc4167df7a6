package io.sibus.engine.messaging;

import io.sibus.datastore.MessageRow;
import io.sibus.datastore.MessageStore;
import io.sibus.engine.health.Faults;
import io.sibus.engine.store.TxOp;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import org.jboss.logging.Logger;

/**
 * Moves messages that cannot be delivered where they are (redelivery limit reached, destination
 * removed from the configuration) to the engine's exception destination, with the reason in their
 * properties. Never deletes them.
 */
final class ExceptionRouter {
  static final String REASON = "sibus.exception.reason";
  static final String ORIGINAL_DESTINATION = "sibus.exception.destination";
  static final String AT = "sibus.exception.at";
  private static final Logger LOG = Logger.getLogger(ExceptionRouter.class);

  private final MessageStore store;
  private final Destinations destinations;
  private final Faults faults;

  ExceptionRouter(MessageStore store, Destinations destinations, Faults faults) {
    this.store = store;
    this.destinations = destinations;
    this.faults = faults;
  }

  /** Moves one entry (already taken out of delivery by the caller) from {@code from}. */
  CompletableFuture<Void> move(ActiveStore active, QueueIndex from, Entry entry, String reason) {
    return moveAll(active, from, List.of(entry), reason);
  }

  /** Moves entries of one destination; each keeps its id, body and sequence. */
  CompletableFuture<Void> moveAll(
      ActiveStore active, QueueIndex from, List<Entry> entries, String reason) {
    String exception = destinations.exception().name();
    QueueIndex target = active.queue(exception);
    String at = Instant.now().toString();
    for (Entry entry : entries) {
      if (!entry.persistent()) {
        from.remove(entry);
        Map<String, String> props = withReason(entry.memory.properties(), from.name, reason, at);
        target.add(entry.movedAs(entry.memory.movedTo(exception, props)));
      }
    }
    List<Entry> persistent = entries.stream().filter(Entry::persistent).toList();
    if (persistent.isEmpty()) {
      logMoved(entries.size(), from.name, exception, reason);
      return CompletableFuture.completedFuture(null);
    }
    TxOp<List<Entry>> op =
        new TxOp<>(c -> moveStored(c, persistent, from.name, exception, reason, at));
    op.afterCommit(
        () -> {
          faults.maybeFailMoveIndex();
          persistent.forEach(from::remove);
          op.result().forEach(entry -> target.addIfAbsent(entry.movedAs(null)));
          int moved = entries.size() - persistent.size() + op.result().size();
          if (moved > 0) {
            logMoved(moved, from.name, exception, reason);
          }
        });
    return active
        .writer
        .submit(op)
        .whenComplete(
            (n, failure) -> {
              if (failure != null) {
                // A message out of redeliveries is tried again at its next expiry. A removed
                // destination's messages, drained, are put back by their mover (Orphans).
                persistent.forEach(from::makeAvailable);
              }
            })
        .thenApply(n -> null);
  }

  /**
   * Moves the stored rows of {@code persistent} from {@code from} to {@code exception}, in the
   * writer's transaction; returns the entries whose rows are there now.
   */
  private List<Entry> moveStored(
      Connection c, List<Entry> persistent, String from, String exception, String reason, String at)
      throws SQLException {
    List<Entry> there = new ArrayList<>();
    for (Entry entry : persistent) {
      MessageRow row = store.readForUpdate(c, entry.seq);
      if (row == null) {
        continue; // deleted meanwhile (acknowledged, expired): nothing to move or index
      }
      if (row.destination().equals(from)) {
        Map<String, String> props =
            withReason(PropertiesCodec.decode(row.propertiesJson()), from, reason, at);
        store.move(c, row.movedTo(exception, PropertiesCodec.encode(props)));
        there.add(entry);
      } else if (row.destination().equals(exception)) {
        // Moved by an attempt that committed although its caller heard otherwise (and tries
        // again): not moved twice, only indexed where it is.
        there.add(entry);
      }
    }
    return there;
  }

  private static Map<String, String> withReason(
      Map<String, String> properties, String from, String reason, String at) {
    Map<String, String> props = new TreeMap<>(properties);
    props.put(REASON, reason);
    props.put(ORIGINAL_DESTINATION, from);
    props.put(AT, at);
    return props;
  }

  private static void logMoved(int count, String from, String to, String reason) {
    LOG.warnf(
        "SIBUS0051W %d message(s) moved from destination %s to the exception destination %s: %s."
            + " User action: inspect the exception destination.",
        count, from, to, reason);
  }
}
