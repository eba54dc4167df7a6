package io.sibus.datastore;

import java.util.UUID;

/**
 * What the active member keeps in memory about a stored message (no body): enough to choose the
 * next message to deliver and to know its delivery state.
 *
 * @param expiresAtMillis 0 when the message never expires
 * @param lockedUntilMillis 0 when no receipt lock is recorded
 */
public record IndexRow(
    long seq,
    String messageId,
    String destination,
    int priority,
    Reliability reliability,
    long expiresAtMillis,
    int deliveryCount,
    UUID receipt,
    long lockedUntilMillis) {}
