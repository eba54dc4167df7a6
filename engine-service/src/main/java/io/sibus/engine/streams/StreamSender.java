package io.sibus.engine.streams;

import io.sibus.datastore.ErrorClass;
import io.sibus.datastore.MessageRow;
import io.sibus.datastore.StoreException;
import io.sibus.engine.store.TxOp;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * Sends one outgoing stream: a handshake first (after every activation, so that a failed-over or
 * restored sender learns where the receiver is), then batches of consecutive ticks from the
 * acknowledged prefix; each answer acknowledges a prefix (whose messages are then deleted here) and
 * a prefix below the last tick sent is a gap, resent at once.
 */
final class StreamSender {
  private final StreamContext context;
  private final StreamFlusher flusher;
  private final Outbound outbound;

  StreamSender(StreamContext context, StreamFlusher flusher, Outbound outbound) {
    this.context = context;
    this.flusher = flusher;
    this.outbound = outbound;
  }

  /** One round; true when there may be more to send right away. */
  boolean round(StreamState s) throws Peers.PeerException, SQLException, InterruptedException {
    if (!s.handshaken && !handshake(s)) {
      return false;
    }
    if (s.held) {
      return false;
    }
    number(s);
    List<MessageRow> rows;
    try (Connection c = context.dataSource().getConnection()) {
      rows = context.store().pending(c, s.target, s.reliability, s.acked, context.batch());
    }
    if (rows.isEmpty()) {
      return false;
    }
    List<StreamProtocol.Tick> ticks = new ArrayList<>(rows.size());
    for (MessageRow row : rows) {
      if (!row.checksumValid()) {
        context.failures().storeFailed(corrupted(row, s));
        return false;
      }
      ticks.add(tick(row));
    }
    StreamProtocol.Reply reply =
        context
            .peers()
            .post(
                s.target,
                Peers.path(context.engine(), "ticks"),
                new StreamProtocol.Batch(context.engine(), s.reliability.name(), s.streamId, ticks),
                StreamProtocol.Reply.class);
    if (StreamProtocol.Reply.UNKNOWN_STREAM.equals(reply.status())) {
      s.handshaken = false;
      return true;
    }
    acknowledge(s, reply.completedPrefix());
    long last = rows.get(rows.size() - 1).seq();
    if (reply.completedPrefix() < last) {
      reportGap(s, reply.completedPrefix(), last);
    }
    return true;
  }

  /** The receiver completed the stream short of what was sent: the rest goes again. */
  private void reportGap(StreamState s, long completed, long last) {
    context
        .errors()
        .report(
            ErrorClass.RECOVERABLE,
            "SIBUS0051W",
            "Messaging engine "
                + s.target
                + " completed stream "
                + s.streamId
                + " up to tick "
                + completed
                + " of "
                + last
                + " sent: the gap is resent.",
            "None.");
  }

  /**
   * Learns where the receiver is; false when this stream must wait (held, or flushed meanwhile).
   */
  private boolean handshake(StreamState s) throws Peers.PeerException, InterruptedException {
    StreamProtocol.HandshakeReply reply =
        context
            .peers()
            .post(
                s.target,
                Peers.path(context.engine(), "handshake"),
                new StreamProtocol.Handshake(
                    context.engine(), s.reliability.name(), s.streamId, s.nextTick - 1),
                StreamProtocol.HandshakeReply.class);
    boolean sameStream = reply.knownStreamId() == null || reply.knownStreamId().equals(s.streamId);
    boolean receiverAhead = sameStream && reply.completedPrefix() > s.nextTick - 1;
    boolean lostOurStream = !sameStream && s.acked == 0;
    if (receiverAhead || lostOurStream) {
      restoreDetected(s, reply);
      return false;
    }
    boolean receiverBehind = !sameStream || reply.completedPrefix() < s.acked;
    if (receiverBehind) {
      context
          .errors()
          .report(
              ErrorClass.RECOVERABLE,
              "SIBUS0787W",
              "Messaging engine "
                  + s.target
                  + " is behind stream "
                  + s
                  + " (it completed "
                  + reply.completedPrefix()
                  + ", this engine had "
                  + s.acked
                  + " acknowledged): its"
                  + " data store was probably restored. The stream is flushed so that it can go on;"
                  + " messages acknowledged before its backup cannot be sent again.",
              "Check that the restore of " + s.target + " was intended.");
      flusher.flush(s, outbound::running);
      return false;
    }
    if (reply.knownStreamId() != null && reply.completedPrefix() > s.acked) {
      acknowledge(s, reply.completedPrefix());
    }
    s.handshaken = true;
    return true;
  }

  /**
   * This store was restored: the receiver completed more of this stream than this store ever
   * assigned. New messages would land at ticks the receiver drops as repeats, so they are held.
   */
  private void restoreDetected(StreamState s, StreamProtocol.HandshakeReply reply) {
    if (!s.held) {
      s.held = true;
      context
          .errors()
          .report(
              ErrorClass.RECOVERABLE, // the engine keeps running; a person decides when to flush
              "SIBUS0785E",
              "Messaging engine "
                  + context.engine()
                  + " found at its handshake with messaging engine "
                  + s.target
                  + " that its data store is behind stream "
                  + s
                  + " (the receiver knows"
                  + " stream "
                  + reply.knownStreamId()
                  + " up to tick "
                  + reply.completedPrefix()
                  + ", this store assigned up to "
                  + (s.nextTick - 1)
                  + "): it was restored. New"
                  + " messages for "
                  + s.target
                  + " are held, not sent.",
              "Restart this engine in restart-after-restore mode (sibus.io/restart-after-restore, or"
                  + " POST /api/v1/engine/start {\"mode\":\"RESTART_AFTER_RESTORE\"} after a stop).");
      outbound.markRestoreDetected();
    }
    if (context.autoFlush()) {
      flusher.flush(s, outbound::running);
    }
  }

  /**
   * Numbers the messages stored for this stream since the last round (never before the handshake: a
   * restored store must not reuse ticks the receiver completed).
   */
  private void number(StreamState s) throws InterruptedException {
    try {
      var stream =
          context
              .writer()
              .submit(new TxOp<>(c -> context.store().assignTicks(c, s.row(), context.batch())))
              .get();
      s.nextTick = stream.nextTick();
    } catch (java.util.concurrent.ExecutionException e) {
      // not numbered now; the next round tries again
    }
  }

  private void acknowledge(StreamState s, long prefix) throws InterruptedException {
    if (prefix <= s.acked) {
      return;
    }
    try {
      context
          .writer()
          .submit(
              new TxOp<>(
                  c -> {
                    context.store().acknowledge(c, s.row(), prefix);
                    return null;
                  }))
          .get();
      outbound.acknowledged(s.target, prefix - s.acked);
      s.acked = prefix;
    } catch (java.util.concurrent.ExecutionException e) {
      // not written now; the next answer acknowledges again
    }
  }

  private static StreamProtocol.Tick tick(MessageRow row) {
    return new StreamProtocol.Tick(
        row.seq(),
        row.messageId(),
        row.destination(),
        row.priority(),
        row.contentType(),
        row.correlationId(),
        io.sibus.engine.messaging.PropertiesCodec.decode(row.propertiesJson()),
        Base64.getEncoder().encodeToString(row.body()),
        row.enqueuedAtMillis(),
        row.expiresAtMillis());
  }

  private static StoreException corrupted(MessageRow row, StreamState s) {
    return new StoreException(
        ErrorClass.GLOBAL,
        "SIBUS1539E",
        "Message "
            + row.messageId()
            + " held for messaging engine "
            + s.target
            + " (tick "
            + row.seq()
            + ") does not match its checksum: the data store is corrupted.",
        "Restore the data store from a backup, then start the engine in restart-after-restore"
            + " mode.");
  }
}
