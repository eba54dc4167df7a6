package io.sibus.engine.messaging;

import io.sibus.datastore.Reliability;

/**
 * A destination served by this engine: a queue of the bus localized here, or the engine's exception
 * destination (which never moves messages further: no redelivery limit).
 */
public record Destination(
    String name,
    String type,
    String localizedOn,
    Reliability defaultReliability,
    int maxRedeliveries,
    Long maxDepth,
    boolean system) {

  public static final String EXCEPTION_PREFIX = "_SYSTEM.Exception.";

  public static Destination exceptionDestination(String engine) {
    return new Destination(
        EXCEPTION_PREFIX + engine, "Queue", engine, Reliability.ASSURED_PERSISTENT, -1, null, true);
  }

  /** True when a message delivered {@code deliveries} times has used up its redeliveries. */
  public boolean redeliveriesExhausted(int deliveries) {
    return maxRedeliveries >= 0 && deliveries > maxRedeliveries;
  }
}
