package io.sibus.local;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * Steady load with every message counted: producers send unique keys (each retried with the same
 * Idempotency-Key until the engine accepts it), consumers receive and acknowledge. The times of
 * acknowledged sends give the write gap around a failure.
 */
public final class LoadRunner implements AutoCloseable {
  private final DeliveryLedger ledger = new DeliveryLedger();
  private final ConcurrentSkipListSet<Long> ackTimes = new ConcurrentSkipListSet<>();
  private final AtomicBoolean producing = new AtomicBoolean(true);
  private final AtomicBoolean consuming = new AtomicBoolean(true);
  private final AtomicInteger failures = new AtomicInteger();
  private final List<Thread> producers = new ArrayList<>();
  private final List<Thread> consumers = new ArrayList<>();
  private final String destination;
  private final String reliability;
  private final Supplier<MemberSetClient> sendClients;
  private final Supplier<MemberSetClient> receiveClients;
  private String keyPrefix = "";

  /**
   * @param sendClients a new client for each producer (where to send)
   * @param receiveClients a new client for each consumer (where to receive)
   */
  public LoadRunner(
      String destination,
      String reliability,
      Supplier<MemberSetClient> sendClients,
      Supplier<MemberSetClient> receiveClients) {
    this.destination = destination;
    this.reliability = reliability;
    this.sendClients = sendClients;
    this.receiveClients = receiveClients;
  }

  /**
   * Prefixes every message key (also its idempotency key), so that runs against the same engines
   * never send a key twice.
   */
  public LoadRunner keyPrefix(String prefix) {
    this.keyPrefix = prefix;
    return this;
  }

  public LoadRunner start(int producerCount, int consumerCount, Duration pauseBetweenSends) {
    for (int p = 0; p < producerCount; p++) {
      int id = p;
      producers.add(thread("producer-" + p, () -> produce(id, pauseBetweenSends)));
    }
    for (int c = 0; c < consumerCount; c++) {
      consumers.add(thread("consumer-" + c, this::consume));
    }
    return this;
  }

  private Thread thread(String name, Runnable body) {
    Thread t = new Thread(body, "load-" + name);
    t.setDaemon(true);
    t.start();
    return t;
  }

  private void produce(int id, Duration pause) {
    MemberSetClient client = sendClients.get();
    for (int n = 0; producing.get(); n++) {
      String key = keyPrefix + "p" + id + "-" + n;
      ledger.attempted(key);
      while (true) {
        try {
          EngineClient.Reply reply =
              client.call(
                  m ->
                      m.send(
                          destination,
                          new EngineClient.Outgoing(key)
                              .reliability(reliability)
                              .idempotencyKey(key)),
                  Duration.ofSeconds(60));
          if (reply.status() == 201) {
            ledger.acknowledged(key);
            ackTimes.add(System.nanoTime());
            break;
          }
          failures.incrementAndGet();
        } catch (IOException e) {
          failures.incrementAndGet();
        }
        if (!producing.get()) {
          return; // outcome unknown: counted as attempted only
        }
      }
      sleep(pause.toMillis());
    }
  }

  private void consume() {
    MemberSetClient client = receiveClients.get();
    while (consuming.get()) {
      try {
        EngineClient.Reply reply =
            client.call(m -> m.receive(destination, 20, 500, 30_000), Duration.ofSeconds(60));
        if (reply.status() != 200) {
          failures.incrementAndGet();
          continue;
        }
        for (JsonNode m : reply.json().get("messages")) {
          String key = EngineClient.bodyText(m);
          ledger.received(key);
          String receipt = m.get("receipt").asText();
          try {
            EngineClient.Reply ack =
                client.call(c -> c.acknowledge(destination, receipt), Duration.ofSeconds(10));
            if (ack.status() == 204) {
              ledger.consumed(key);
            }
          } catch (IOException e) {
            failures.incrementAndGet(); // outcome unknown: redelivered if it did not commit
          }
        }
      } catch (IOException e) {
        failures.incrementAndGet();
      }
    }
  }

  /** Stops sending; consumers go on until everything acknowledged was received. */
  public DeliveryLedger.Report finish(Duration drainTimeout) {
    producing.set(false);
    join(producers, Duration.ofSeconds(90));
    long deadline = System.nanoTime() + drainTimeout.toNanos();
    while (!ledger.allReceived() && System.nanoTime() < deadline) {
      sleep(100);
    }
    sleep(1500); // let redeliveries of anything unacknowledged show up as duplicates, if any
    consuming.set(false);
    join(consumers, Duration.ofSeconds(10));
    return ledger.report();
  }

  public DeliveryLedger ledger() {
    return ledger;
  }

  public int acknowledgedCount() {
    return ledger.acknowledgedCount();
  }

  /** Failed attempts (answered with an error, or no answer), each retried. */
  public int failures() {
    return failures.get();
  }

  /**
   * The write gap of a failure at {@code nanoTime}: the longest time without an acknowledged send
   * between 0.5 s before it and 5 s after it, in milliseconds (-1 when no send was acknowledged
   * after it). This is the measure CloudNativePG's tests use: the last write on the old primary to
   * the first on the new one.
   */
  public long writeGapMillis(long nanoTime) {
    if (ackTimes.ceiling(nanoTime) == null) {
      return -1;
    }
    long from = nanoTime - 500_000_000L;
    long to = nanoTime + 5_000_000_000L;
    long longest = 0;
    Long previous = ackTimes.floor(from);
    for (long t : ackTimes.subSet(from, true, to, true)) {
      if (previous != null) {
        longest = Math.max(longest, t - previous);
      }
      previous = t;
    }
    return longest / 1_000_000;
  }

  @Override
  public void close() {
    producing.set(false);
    consuming.set(false);
  }

  private static void join(List<Thread> threads, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    for (Thread t : threads) {
      try {
        t.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private static void sleep(long millis) {
    if (millis <= 0) {
      return;
    }
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
