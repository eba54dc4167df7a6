package io.sibus.engine.messaging;

import io.sibus.datastore.MessageRow;
import io.sibus.datastore.MessageStore;
import io.sibus.datastore.Reliability;
import io.sibus.datastore.StreamIn;
import io.sibus.datastore.StreamStore;
import io.sibus.engine.error.ErrorLog;
import io.sibus.engine.store.TxOp;
import io.sibus.engine.streams.StreamProtocol;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The receiving end of delivery streams. A batch is applied in one fenced transaction: each tick
 * just after the completed prefix is stored on its queue (once: an id accepted before, within the
 * deduplication window, is recognised and skipped) and advances the prefix; a tick at or below the
 * prefix is a repeat and dropped; a tick beyond the next one is a gap, refused, so that the sender
 * resends from the prefix.
 */
final class Inbound {
  private final String engine;
  private final MessageStore messages;
  private final StreamStore streams;
  private final Destinations destinations;
  private final ErrorLog errors;
  private final Map<String, AtomicLong> unexpected = new ConcurrentHashMap<>();
  private volatile long dropFrom = -1;
  private volatile long dropTo = -1;

  Inbound(
      String engine,
      MessageStore messages,
      StreamStore streams,
      Destinations destinations,
      ErrorLog errors) {
    this.engine = engine;
    this.messages = messages;
    this.streams = streams;
    this.destinations = destinations;
    this.errors = errors;
  }

  /** Test-only: the next ticks in [from, to] are lost once, as if in transit. */
  void dropOnce(long from, long to) {
    dropFrom = from;
    dropTo = to;
  }

  CompletableFuture<StreamProtocol.Reply> receive(
      ActiveStore store, StreamProtocol.Batch batch, long dedupWindowMillis) {
    Reliability reliability = Reliability.valueOf(batch.reliability());
    List<StreamProtocol.Tick> ticks = dropInTransit(batch.ticks());
    List<MessageRow> accepted = new ArrayList<>();
    TxOp<StreamProtocol.Reply> op =
        new TxOp<>(
            c -> {
              accepted.clear();
              return apply(c, store, batch, reliability, ticks, dedupWindowMillis, accepted);
            });
    op.afterCommit(
        () -> {
          for (MessageRow row : accepted) {
            store.index(
                row.destination(),
                new Entry(
                    row.seq(),
                    row.messageId(),
                    row.priority(),
                    row.reliability(),
                    row.expiresAtMillis(),
                    null,
                    0));
          }
        });
    return store.writer.submit(op);
  }

  private StreamProtocol.Reply apply(
      Connection c,
      ActiveStore store,
      StreamProtocol.Batch batch,
      Reliability reliability,
      List<StreamProtocol.Tick> ticks,
      long dedupWindowMillis,
      List<MessageRow> accepted)
      throws SQLException {
    StreamIn state = streams.streamIn(c, batch.source(), reliability);
    if (state != null && !state.streamId().equals(batch.streamId())) {
      return new StreamProtocol.Reply(
          StreamProtocol.Reply.UNKNOWN_STREAM, state.streamId(), state.completedPrefix());
    }
    long prefix = state == null ? 0 : state.completedPrefix();
    boolean dedup = dedupWindowMillis > 0;
    List<String> ids = ticks.stream().map(StreamProtocol.Tick::messageId).toList();
    Set<String> seen = new HashSet<>(dedup ? streams.seen(c, ids) : Set.of());
    // A message still on a queue here is never stored twice, whatever the window.
    Set<String> stored = messages.existing(c, ids);
    Set<String> inBatch = new HashSet<>();
    long unexpectedHere = 0;
    for (StreamProtocol.Tick t : ticks) {
      if (t.tick() <= prefix) {
        if (dedup && !seen.contains(t.messageId()) && !inBatch.contains(t.messageId())) {
          unexpectedHere++; // a repeat tick carrying a message never received: the sender went back
        }
        continue;
      }
      if (t.tick() > prefix + 1) {
        break; // a gap: the sender resends from the prefix
      }
      prefix = t.tick();
      inBatch.add(t.messageId());
      if (!seen.contains(t.messageId()) && !stored.contains(t.messageId())) {
        accepted.add(row(store, t, reliability));
      }
    }
    messages.insert(c, accepted);
    if (dedup) {
      streams.remember(c, batch.source(), accepted.stream().map(MessageRow::messageId).toList());
    }
    streams.saveStreamIn(c, batch.source(), reliability, new StreamIn(batch.streamId(), prefix));
    if (unexpectedHere > 0) {
      unexpected(batch, unexpectedHere);
    }
    return new StreamProtocol.Reply(StreamProtocol.Reply.OK, batch.streamId(), prefix);
  }

  /** A message of the stream, stored on its queue here, or on the exception destination. */
  private MessageRow row(ActiveStore store, StreamProtocol.Tick t, Reliability reliability) {
    String destination = t.destination();
    Map<String, String> properties = t.properties() == null ? Map.of() : t.properties();
    if (destinations.find(destination).isEmpty()) {
      properties = new java.util.TreeMap<>(properties);
      properties.put(
          ExceptionRouter.REASON,
          "SIBUS0302W destination "
              + destination
              + " is not localized on messaging engine "
              + engine);
      properties.put(ExceptionRouter.ORIGINAL_DESTINATION, destination);
      destination = destinations.exception().name();
    }
    return MessageRow.create(
        store.seq.incrementAndGet(),
        t.messageId(),
        destination,
        t.priority(),
        reliability,
        t.contentType(),
        t.correlationId(),
        PropertiesCodec.encode(properties),
        Base64.getDecoder().decode(t.body()),
        t.enqueuedAt(),
        t.expiresAt());
  }

  /** SIBUS0784E once per stream, then a count (not a flood). */
  private void unexpected(StreamProtocol.Batch batch, long count) {
    String key = batch.source() + "/" + batch.reliability() + "/" + batch.streamId();
    AtomicLong total = unexpected.computeIfAbsent(key, k -> new AtomicLong());
    long before = total.getAndAdd(count);
    if (before == 0) {
      errors.report(
          io.sibus.datastore.ErrorClass.RECOVERABLE,
          "SIBUS0784E",
          "Messaging engine "
              + engine
              + " received a message from messaging engine "
              + batch.source()
              + " that was not expected.",
          "If the data store of "
              + batch.source()
              + " was restored, stop that engine and restart"
              + " it in restart-after-restore mode. (This message may also appear in other"
              + " situations; do so only if a backup was restored.)");
    } else if (Long.bitCount(before + count) == 1 || (before / 1000) != ((before + count) / 1000)) {
      errors.info(
          "SIBUS0784E",
          (before + count)
              + " unexpected messages from messaging engine "
              + batch.source()
              + " on stream "
              + batch.streamId()
              + " so far.");
    }
  }

  StreamProtocol.HandshakeReply handshake(Connection c, StreamProtocol.Handshake handshake)
      throws SQLException {
    StreamIn state =
        streams.streamIn(c, handshake.source(), Reliability.valueOf(handshake.reliability()));
    return state == null
        ? new StreamProtocol.HandshakeReply(null, 0)
        : new StreamProtocol.HandshakeReply(state.streamId(), state.completedPrefix());
  }

  CompletableFuture<Void> flush(ActiveStore store, StreamProtocol.Flush flush) {
    return store
        .writer
        .submit(
            new TxOp<Void>(
                c -> {
                  streams.saveStreamIn(
                      c,
                      flush.source(),
                      Reliability.valueOf(flush.reliability()),
                      new StreamIn(flush.newStreamId(), 0));
                  return null;
                }))
        .thenRun(
            () ->
                errors.info(
                    "SIBUS0786I",
                    "Messaging engine "
                        + flush.source()
                        + " flushed its delivery stream "
                        + flush.oldStreamId()
                        + " ("
                        + flush.reliability()
                        + "); messaging engine "
                        + engine
                        + " forgot it and follows stream "
                        + flush.newStreamId()
                        + "."));
  }

  private List<StreamProtocol.Tick> dropInTransit(List<StreamProtocol.Tick> ticks) {
    long from = dropFrom;
    long to = dropTo;
    if (from < 0) {
      return ticks;
    }
    List<StreamProtocol.Tick> kept =
        ticks.stream().filter(t -> t.tick() < from || t.tick() > to).toList();
    if (kept.size() < ticks.size()) {
      dropFrom = -1; // once
      dropTo = -1;
    }
    return kept;
  }
}
