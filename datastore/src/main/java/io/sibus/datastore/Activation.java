package io.sibus.datastore;

import java.util.UUID;

/** The result of taking the data store: the epoch every later write must prove, the incarnation. */
public record Activation(long epoch, UUID incarnation, boolean newStore) {}
