package io.sibus.datastore;

/** An idempotency key to claim for a message on a destination. */
public record IdempotencyClaim(String destination, String key, String messageId) {}
