package io.sibus.datastore;

import java.util.UUID;

/** A receipt lock to record for one message as it is delivered. */
public record DeliveryLock(long seq, UUID receipt, long lockedUntilMillis) {}
