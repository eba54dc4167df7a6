package io.sibus.engine.messaging;

import io.sibus.datastore.Reliability;
import java.util.Map;

/**
 * A validated send. {@code reliability} is null when the destination's default applies; {@code
 * timeToLiveMillis} is 0 when the message never expires.
 */
public record SendRequest(
    byte[] body,
    String contentType,
    Reliability reliability,
    int priority,
    long timeToLiveMillis,
    String correlationId,
    String idempotencyKey,
    Map<String, String> properties) {

  public static final int DEFAULT_PRIORITY = 4;
}
