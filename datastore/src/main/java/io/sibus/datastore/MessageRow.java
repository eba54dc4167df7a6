package io.sibus.datastore;

/**
 * A persistent message as stored in {@code sibus_message}. {@code checksum} covers every field a
 * message keeps for its whole life (not the delivery state), so a row altered behind the engine's
 * back is detected when it is read.
 *
 * @param expiresAtMillis epoch milliseconds, or 0 when the message never expires
 */
public record MessageRow(
    long seq,
    String messageId,
    String destination,
    int priority,
    Reliability reliability,
    String contentType,
    String correlationId,
    String propertiesJson,
    byte[] body,
    long enqueuedAtMillis,
    long expiresAtMillis,
    int deliveryCount,
    long checksum) {

  /** A new row whose checksum is computed from its fields. */
  public static MessageRow create(
      long seq,
      String messageId,
      String destination,
      int priority,
      Reliability reliability,
      String contentType,
      String correlationId,
      String propertiesJson,
      byte[] body,
      long enqueuedAtMillis,
      long expiresAtMillis) {
    MessageRow row =
        new MessageRow(
            seq,
            messageId,
            destination,
            priority,
            reliability,
            contentType,
            correlationId,
            propertiesJson,
            body,
            enqueuedAtMillis,
            expiresAtMillis,
            0,
            0);
    return row.withChecksum(MessageChecksum.of(row));
  }

  public MessageRow withChecksum(long value) {
    return new MessageRow(
        seq,
        messageId,
        destination,
        priority,
        reliability,
        contentType,
        correlationId,
        propertiesJson,
        body,
        enqueuedAtMillis,
        expiresAtMillis,
        deliveryCount,
        value);
  }

  /** The same message on another destination with new properties, checksum recomputed. */
  public MessageRow movedTo(String newDestination, String newPropertiesJson) {
    MessageRow moved =
        new MessageRow(
            seq,
            messageId,
            newDestination,
            priority,
            reliability,
            contentType,
            correlationId,
            newPropertiesJson,
            body,
            enqueuedAtMillis,
            expiresAtMillis,
            deliveryCount,
            0);
    return moved.withChecksum(MessageChecksum.of(moved));
  }

  public boolean checksumValid() {
    return MessageChecksum.of(this) == checksum;
  }
}
