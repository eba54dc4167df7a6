package io.sibus.datastore;

import java.util.UUID;

/** An outgoing delivery stream's persisted state. */
public record StreamOut(
    String target, Reliability reliability, UUID streamId, long nextTick, long ackedPrefix) {}
