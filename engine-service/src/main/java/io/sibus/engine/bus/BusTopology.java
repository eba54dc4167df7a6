package io.sibus.engine.bus;

import io.sibus.datastore.Reliability;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The bus as its configuration file describes it: engines (with the URLs of their members or their
 * Service) and destinations with the engine each is localized on.
 */
public record BusTopology(
    String bus,
    String secret,
    Duration dedupWindow,
    List<EngineRef> engines,
    List<DestinationDef> destinations) {

  public static final Duration DEFAULT_DEDUP_WINDOW = Duration.ofHours(24);

  /** No configuration file: no destinations but the engine's exception destination. */
  public static BusTopology empty(String bus) {
    return new BusTopology(bus, null, DEFAULT_DEDUP_WINDOW, List.of(), List.of());
  }

  /** An engine of the bus. */
  public record EngineRef(String name, List<String> urls) {}

  /** A destination of the bus. */
  public record DestinationDef(
      String name,
      String type,
      String localizedOn,
      Reliability defaultReliability,
      int maxRedeliveries,
      Long maxDepth) {}

  public Optional<EngineRef> engine(String name) {
    return engines.stream().filter(e -> e.name().equals(name)).findFirst();
  }

  public Optional<DestinationDef> destination(String name) {
    return destinations.stream().filter(d -> d.name().equals(name)).findFirst();
  }
}
