package io.sibus.engine.streams;

import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The messages engines exchange over delivery streams (JSON over HTTP, authenticated with the bus's
 * shared secret). A stream is identified by its source engine, its reliability and its stream id;
 * its messages carry consecutive ticks.
 */
public final class StreamProtocol {
  private StreamProtocol() {}

  /** One message on a stream. */
  public record Tick(
      long tick,
      String messageId,
      String destination,
      int priority,
      String contentType,
      String correlationId,
      Map<String, String> properties,
      String body,
      long enqueuedAt,
      long expiresAt) {}

  /** Messages of a stream, in tick order. */
  public record Batch(String source, String reliability, UUID streamId, List<Tick> ticks) {}

  /**
   * The receiver's answer: the prefix it has completed (everything at or below is stored). A prefix
   * below the last tick sent asks for a resend (a gap); UNKNOWN_STREAM asks for a handshake.
   */
  public record Reply(String status, UUID streamId, long completedPrefix) {
    public static final String OK = "OK";
    public static final String UNKNOWN_STREAM = "UNKNOWN_STREAM";
  }

  /** A source introducing its stream: which stream, and the highest tick it ever assigned. */
  public record Handshake(String source, String reliability, UUID streamId, long highestTick) {}

  /** What the receiver knows of the source's stream (null id when nothing). */
  public record HandshakeReply(UUID knownStreamId, long completedPrefix) {}

  /** Restart after restore: forget the old stream, start the new one at tick 0. */
  public record Flush(String source, String reliability, UUID oldStreamId, UUID newStreamId) {}

  /** A nonpersistent message forwarded to the engine that holds its destination. */
  public record Forward(String source, String reliability, Tick message, String idempotencyKey) {}
}
