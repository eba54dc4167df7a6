package io.sibus.engine.messaging;

import io.sibus.engine.bus.BusTopology;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** The destinations this engine serves, from the bus topology, plus its exception destination. */
public final class Destinations {
  private final String engine;
  private volatile Map<String, Destination> local;
  private volatile Map<String, Destination> remote = Map.of();

  public Destinations(String engine, BusTopology topology) {
    this.engine = engine;
    update(topology);
  }

  /** Replaces the set from a new topology. */
  public void update(BusTopology topology) {
    Map<String, Destination> next = new LinkedHashMap<>();
    for (BusTopology.DestinationDef d : topology.destinations()) {
      if (engine.equals(d.localizedOn())) {
        next.put(
            d.name(),
            new Destination(
                d.name(),
                d.type(),
                d.localizedOn(),
                d.defaultReliability(),
                d.maxRedeliveries(),
                d.maxDepth(),
                false));
      }
    }
    Destination exception = Destination.exceptionDestination(engine);
    next.put(exception.name(), exception);
    Map<String, Destination> elsewhere = new LinkedHashMap<>();
    for (BusTopology.DestinationDef d : topology.destinations()) {
      if (d.localizedOn() != null && !engine.equals(d.localizedOn())) {
        elsewhere.put(
            d.name(),
            new Destination(
                d.name(),
                d.type(),
                d.localizedOn(),
                d.defaultReliability(),
                d.maxRedeliveries(),
                d.maxDepth(),
                false));
      }
    }
    local = next;
    remote = elsewhere;
  }

  /** A destination of the bus localized on another engine (sends go there by stream). */
  public Optional<Destination> findRemote(String name) {
    return Optional.ofNullable(remote.get(name));
  }

  public Optional<Destination> find(String name) {
    return Optional.ofNullable(local.get(name));
  }

  public Collection<Destination> all() {
    return local.values();
  }

  public Destination exception() {
    return local.get(Destination.EXCEPTION_PREFIX + engine);
  }
}
