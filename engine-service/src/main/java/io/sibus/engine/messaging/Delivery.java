package io.sibus.engine.messaging;

import java.util.Map;

/** A message handed to a receiver, as the receive API returns it (body in base64). */
public record Delivery(
    String messageId,
    String receipt,
    String body,
    String contentType,
    String reliability,
    int priority,
    int redeliveryCount,
    Map<String, String> properties,
    String enqueuedAt,
    String correlationId,
    String destination) {}
