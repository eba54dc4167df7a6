package io.sibus.datastore;

import java.util.UUID;

/** An incoming delivery stream's persisted state: which stream, and the completed prefix. */
public record StreamIn(UUID streamId, long completedPrefix) {}
