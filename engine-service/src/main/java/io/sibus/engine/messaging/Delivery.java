package io.sibus.engine.messaging;

import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import io.sibus.datastore.MessageRow;
import java.time.Instant;
import java.util.Map;

/**
 * A message handed to a receiver, as the receive API returns it. The body is written in base64
 * (with padding, no line breaks) straight into the reply ({@link Base64Json}).
 */
public record Delivery(
    String messageId,
    String receipt,
    @JsonSerialize(using = Base64Json.class) byte[] body,
    String contentType,
    String reliability,
    int priority,
    int redeliveryCount,
    Map<String, String> properties,
    String enqueuedAt,
    String correlationId,
    String destination) {

  /** A persistent message as its row, read with its lock, holds it. */
  static Delivery of(MessageRow row, String receipt, String destination) {
    return new Delivery(
        row.messageId(),
        receipt,
        row.body(),
        row.contentType(),
        row.reliability().name(),
        row.priority(),
        row.deliveryCount() - 1,
        PropertiesCodec.decode(row.propertiesJson()),
        Instant.ofEpochMilli(row.enqueuedAtMillis()).toString(),
        row.correlationId(),
        destination);
  }

  /** A nonpersistent message, delivered for the {@code deliveryCount}th time. */
  static Delivery of(MemoryMessage m, int deliveryCount, String receipt, String destination) {
    return new Delivery(
        m.messageId(),
        receipt,
        m.body(),
        m.contentType(),
        m.reliability().name(),
        m.priority(),
        deliveryCount - 1,
        m.properties(),
        Instant.ofEpochMilli(m.enqueuedAtMillis()).toString(),
        m.correlationId(),
        destination);
  }
}
