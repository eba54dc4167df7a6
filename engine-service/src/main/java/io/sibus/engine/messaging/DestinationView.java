package io.sibus.engine.messaging;

/** A destination with its depth, as the destinations API returns it. */
public record DestinationView(
    String name,
    String type,
    String localizedOn,
    String defaultReliability,
    int maxRedeliveries,
    Long maxDepth,
    long depth,
    long available,
    long inFlight) {}
