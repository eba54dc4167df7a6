package io.sibus.engine.messaging;

import java.util.Map;

/**
 * A message handed to a receiver, as the receive API returns it. The body is written in base64
 * (with padding, no line breaks) by the JSON writer itself, straight into the reply, without a
 * string of its own in between.
 */
public record Delivery(
    String messageId,
    String receipt,
    byte[] body,
    String contentType,
    String reliability,
    int priority,
    int redeliveryCount,
    Map<String, String> properties,
    String enqueuedAt,
    String correlationId,
    String destination) {}
