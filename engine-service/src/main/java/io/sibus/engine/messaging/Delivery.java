package io.sibus.engine.messaging;

import com.fasterxml.jackson.databind.annotation.JsonSerialize;
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
    String destination) {}
