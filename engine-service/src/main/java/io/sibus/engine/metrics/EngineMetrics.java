package io.sibus.engine.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.sibus.datastore.Reliability;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;

/** The engine's Prometheus metrics (served at {@code /q/metrics}). */
@ApplicationScoped
public class EngineMetrics {
  private final MeterRegistry registry;
  private final DistributionSummary batchSize;
  private final Timer commitLatency;
  private final Counter activations;
  private final Map<String, Counter> counters = new ConcurrentHashMap<>();

  public EngineMetrics(MeterRegistry registry) {
    this.registry = registry;
    this.batchSize =
        DistributionSummary.builder("sibus.group.commit.batch.size")
            .description("Operations committed per group-commit transaction")
            .publishPercentiles(0.5, 0.99)
            .register(registry);
    this.commitLatency =
        Timer.builder("sibus.group.commit.latency")
            .description(
                "Time of the round trip that commits a group-commit transaction (its last"
                    + " statements and the COMMIT)")
            .publishPercentiles(0.5, 0.99)
            .register(registry);
    this.activations =
        Counter.builder("sibus.engine.activations")
            .description("Times this member became the active member (failovers included)")
            .register(registry);
  }

  public void committed(int operations, long commitNanos) {
    batchSize.record(operations);
    commitLatency.record(commitNanos, TimeUnit.NANOSECONDS);
  }

  public void activated() {
    activations.increment();
  }

  public void sent(String destination, Reliability reliability) {
    count("sibus.messages.sent", destination, reliability);
  }

  public void received(String destination, Reliability reliability) {
    count("sibus.messages.received", destination, reliability);
  }

  public void acknowledged(String destination, Reliability reliability) {
    count("sibus.messages.acknowledged", destination, reliability);
  }

  /** Registers a gauge read from {@code source} (depth of a destination, engine state). */
  public <T> void gauge(String name, Map<String, String> tags, T source, ToDoubleFunction<T> f) {
    io.micrometer.core.instrument.Gauge.Builder<T> builder =
        io.micrometer.core.instrument.Gauge.builder(name, source, f);
    tags.forEach(builder::tag);
    builder.strongReference(true).register(registry);
  }

  private void count(String name, String destination, Reliability reliability) {
    String key = name + '|' + destination + '|' + reliability;
    counters
        .computeIfAbsent(
            key,
            k ->
                Counter.builder(name)
                    .tag("destination", destination)
                    .tag("reliability", reliability.name())
                    .register(registry))
        .increment();
  }
}
