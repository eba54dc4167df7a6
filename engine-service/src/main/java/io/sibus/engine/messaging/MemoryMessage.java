package io.sibus.engine.messaging;

import io.sibus.datastore.Reliability;
import java.util.Map;

/** A nonpersistent message: it lives only in the memory of the active member. */
public record MemoryMessage(
    String messageId,
    String destination,
    int priority,
    Reliability reliability,
    String contentType,
    String correlationId,
    Map<String, String> properties,
    byte[] body,
    long enqueuedAtMillis,
    long expiresAtMillis) {

  public MemoryMessage movedTo(String newDestination, Map<String, String> newProperties) {
    return new MemoryMessage(
        messageId,
        newDestination,
        priority,
        reliability,
        contentType,
        correlationId,
        newProperties,
        body,
        enqueuedAtMillis,
        expiresAtMillis);
  }
}
