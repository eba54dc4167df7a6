package io.sibus.engine.messaging;

import io.sibus.engine.metrics.EngineMetrics;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * What the API and the metrics show of each destination: its definition, and its depth and locks on
 * the active member (zero on any other member, which holds no index).
 */
final class DestinationViews {
  private final Destinations destinations;
  private final Supplier<ActiveStore> active;
  private final EngineMetrics metrics;
  private final Set<String> depthGauges = ConcurrentHashMap.newKeySet();

  /** {@code active} gives the active member's store, or null while this member is not active. */
  DestinationViews(Destinations destinations, Supplier<ActiveStore> active, EngineMetrics metrics) {
    this.destinations = destinations;
    this.active = active;
    this.metrics = metrics;
  }

  /** A depth gauge for every destination that has none yet (a gauge outlives its destination). */
  void registerDepthGauges() {
    for (Destination d : destinations.all()) {
      if (depthGauges.add(d.name())) {
        metrics.gauge(
            "sibus.destination.depth",
            Map.of("destination", d.name()),
            this,
            views -> views.depthOf(d.name()));
      }
    }
  }

  List<DestinationView> all() {
    return destinations.all().stream().map(this::of).toList();
  }

  DestinationView of(Destination d) {
    QueueIndex queue = queue(d.name());
    long depth = queue == null ? 0 : queue.depth();
    long available = queue == null ? 0 : queue.availableCount();
    return new DestinationView(
        d.name(),
        d.type(),
        d.localizedOn(),
        d.defaultReliability().name(),
        d.maxRedeliveries(),
        d.maxDepth(),
        depth,
        available,
        depth - available);
  }

  private double depthOf(String destination) {
    QueueIndex queue = queue(destination);
    return queue == null ? 0 : queue.depth();
  }

  private QueueIndex queue(String destination) {
    ActiveStore store = active.get();
    return store == null ? null : store.existingQueue(destination);
  }
}
