package io.sibus.perf;

import com.fasterxml.jackson.databind.JsonNode;
import io.sibus.local.EngineClient;
import io.sibus.local.MemberSetClient;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.HdrHistogram.Recorder;

/**
 * One measured run: producers send messages of a fixed size (as fast as they go, or at a fixed
 * total rate), consumers receive and acknowledge. Each body starts with its send time, so the
 * consumers measure end-to-end latency.
 */
final class Workload {
  /** What the run is. */
  record Spec(
      String destination,
      String reliability,
      int producers,
      int consumers,
      int size,
      Duration duration,
      int ratePerSecond) {}

  /** What the run measured. */
  record Result(
      Spec spec,
      double seconds,
      long sent,
      long received,
      long errors,
      org.HdrHistogram.Histogram sendLatency,
      org.HdrHistogram.Histogram endToEnd) {}

  private final Spec spec;
  private final Supplier<MemberSetClient> clients;
  private final Supplier<MemberSetClient> receivers;
  private final Recorder sendLatency = new Recorder(3);
  private final Recorder endToEnd = new Recorder(3);
  private final AtomicLong sent = new AtomicLong();
  private final AtomicLong received = new AtomicLong();
  private final AtomicLong errors = new AtomicLong();
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final ExecutorService ackers = Executors.newFixedThreadPool(16, r -> daemon(r));

  Workload(Spec spec, Supplier<MemberSetClient> clients) {
    this(spec, clients, clients);
  }

  /** Producers send through {@code clients}, consumers receive through {@code receivers}. */
  Workload(Spec spec, Supplier<MemberSetClient> clients, Supplier<MemberSetClient> receivers) {
    this.receivers = receivers;
    this.spec = spec;
    this.clients = clients;
  }

  Result run() throws InterruptedException {
    List<Thread> threads = new ArrayList<>();
    for (int i = 0; i < spec.consumers(); i++) {
      threads.add(start("perf-consumer-" + i, this::consume));
    }
    long started = System.nanoTime();
    for (int i = 0; i < spec.producers(); i++) {
      threads.add(start("perf-producer-" + i, this::produce));
    }
    sendLatency.getIntervalHistogram(); // reset: count from the start
    endToEnd.getIntervalHistogram();
    Thread.sleep(spec.duration().toMillis());
    running.set(false);
    double seconds = (System.nanoTime() - started) / 1e9;
    for (Thread t : threads) {
      t.join(70_000);
    }
    ackers.shutdown();
    return new Result(
        spec,
        seconds,
        sent.get(),
        received.get(),
        errors.get(),
        sendLatency.getIntervalHistogram(),
        endToEnd.getIntervalHistogram());
  }

  private static Thread daemon(Runnable r) {
    Thread t = new Thread(r, "perf-ack");
    t.setDaemon(true);
    return t;
  }

  private Thread start(String name, Runnable body) {
    Thread t = new Thread(body, name);
    t.setDaemon(true);
    t.start();
    return t;
  }

  private void produce() {
    MemberSetClient client = clients.get();
    long intervalNanos =
        spec.ratePerSecond() > 0
            ? TimeUnit.SECONDS.toNanos(1) * spec.producers() / spec.ratePerSecond()
            : 0;
    long next = System.nanoTime();
    byte[] body = new byte[Math.max(16, spec.size())];
    while (running.get()) {
      if (intervalNanos > 0) {
        long wait = next - System.nanoTime();
        if (wait > 0) {
          sleepNanos(wait);
        }
        next += intervalNanos;
      }
      ByteBuffer.wrap(body).putLong(micros());
      long t0 = System.nanoTime();
      try {
        EngineClient.Reply reply =
            client.call(
                m ->
                    m.send(
                        spec.destination(),
                        new EngineClient.Outgoing(body)
                            .reliability(spec.reliability())
                            .contentType("application/octet-stream")),
                Duration.ofSeconds(10));
        if (reply.status() == 201) {
          // Coordinated omission: at a fixed rate, latency counts from the intended start.
          long from = intervalNanos > 0 ? Math.min(t0, next - intervalNanos) : t0;
          sendLatency.recordValue(Math.max(1, (System.nanoTime() - from) / 1000));
          sent.incrementAndGet();
        } else {
          errors.incrementAndGet();
        }
      } catch (IOException e) {
        errors.incrementAndGet();
      }
    }
  }

  private void consume() {
    MemberSetClient client = receivers.get();
    while (running.get()) {
      try {
        EngineClient.Reply reply =
            client.call(
                m -> m.receive(spec.destination(), 50, 200, 60_000), Duration.ofSeconds(10));
        if (reply.status() != 200) {
          errors.incrementAndGet();
          continue;
        }
        // Acknowledgements go out together, so that the engine commits them in one group.
        List<CompletableFuture<Void>> acks = new ArrayList<>();
        for (JsonNode m : reply.json().get("messages")) {
          byte[] body = Base64.getDecoder().decode(m.get("body").asText());
          long sentAt = ByteBuffer.wrap(body).getLong();
          endToEnd.recordValue(Math.max(1, micros() - sentAt));
          String receipt = m.get("receipt").asText();
          acks.add(CompletableFuture.runAsync(() -> acknowledge(client, receipt), ackers));
        }
        acks.forEach(CompletableFuture::join);
      } catch (IOException e) {
        errors.incrementAndGet();
      }
    }
  }

  private void acknowledge(MemberSetClient client, String receipt) {
    try {
      client.call(c -> c.acknowledge(spec.destination(), receipt), Duration.ofSeconds(10));
      received.incrementAndGet();
    } catch (IOException e) {
      errors.incrementAndGet();
    }
  }

  private static long micros() {
    Instant now = Instant.now();
    return now.getEpochSecond() * 1_000_000 + now.getNano() / 1000;
  }

  private static void sleepNanos(long nanos) {
    try {
      TimeUnit.NANOSECONDS.sleep(nanos);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
