package io.sibus.engine.messaging;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A short pause of new sends, for a consistent backup of the whole bus: while quiesced, sends wait
 * (their HTTP answers are held, nothing is refused); streams keep settling what is in flight. It
 * lifts itself after its timeout, so a backup that dies cannot freeze the bus.
 */
final class Quiesce {
  private final ScheduledExecutorService timer =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "sibus-quiesce");
            t.setDaemon(true);
            return t;
          });
  private final AtomicLong waited = new AtomicLong();
  private final AtomicLong maxWaitMillis = new AtomicLong();
  private volatile CompletableFuture<Void> gate;
  private ScheduledFuture<?> expiry;

  synchronized void start(long timeoutMillis) {
    if (gate == null) {
      gate = new CompletableFuture<>();
      waited.set(0);
      maxWaitMillis.set(0);
    }
    if (expiry != null) {
      expiry.cancel(false);
    }
    expiry = timer.schedule(this::resume, timeoutMillis, TimeUnit.MILLISECONDS);
  }

  /** Lifts the pause; returns {sends that waited, longest wait in ms}. */
  synchronized long[] resume() {
    CompletableFuture<Void> current = gate;
    gate = null;
    if (expiry != null) {
      expiry.cancel(false);
      expiry = null;
    }
    if (current != null) {
      current.complete(null);
    }
    return new long[] {waited.get(), maxWaitMillis.get()};
  }

  boolean active() {
    return gate != null;
  }

  /** Runs {@code send} now, or when the pause ends. */
  <T> CompletableFuture<T> around(java.util.function.Supplier<CompletableFuture<T>> send) {
    CompletableFuture<Void> current = gate;
    if (current == null) {
      return send.get();
    }
    long started = System.nanoTime();
    waited.incrementAndGet();
    return current.thenCompose(
        v -> {
          maxWaitMillis.accumulateAndGet((System.nanoTime() - started) / 1_000_000, Math::max);
          return send.get();
        });
  }
}
