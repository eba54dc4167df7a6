package io.sibus.k8s;

import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a controller's whole-cluster reconcile on one thread: soon after any event ({@link
 * #trigger}), events arriving meanwhile folded into one run, and periodically, so that a missed or
 * failed event heals by itself. One thread means reconciles never overlap.
 */
final class ReconcileLoop implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ReconcileLoop.class);

  /** Lets a burst of events (a pod's status written field by field) end before reconciling. */
  private static final long DEBOUNCE_MILLIS = 20;

  private final String name;
  private final Runnable reconcile;
  private final ScheduledExecutorService executor;
  private final AtomicBoolean pending = new AtomicBoolean();

  ReconcileLoop(String name, Runnable reconcile) {
    this.name = name;
    this.reconcile = reconcile;
    this.executor =
        Executors.newSingleThreadScheduledExecutor(
            runnable -> {
              Thread thread = new Thread(runnable, name);
              thread.setDaemon(true);
              return thread;
            });
  }

  /** Reconciles now and every {@code period} from now on. */
  void start(Duration period) {
    executor.scheduleWithFixedDelay(this::run, 0, period.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Asks for a reconcile soon. */
  void trigger() {
    if (pending.compareAndSet(false, true)) {
      try {
        executor.schedule(this::run, DEBOUNCE_MILLIS, TimeUnit.MILLISECONDS);
      } catch (RejectedExecutionException e) {
        // Closed: an event that arrives while the informers stop is of no interest.
      }
    }
  }

  /** An informer event handler that asks for a reconcile on any change. */
  <T> ResourceEventHandler<T> handler() {
    return new ResourceEventHandler<>() {
      @Override
      public void onAdd(T object) {
        trigger();
      }

      @Override
      public void onUpdate(T before, T after) {
        trigger();
      }

      @Override
      public void onDelete(T object, boolean finalStateUnknown) {
        trigger();
      }
    };
  }

  private void run() {
    pending.set(false);
    try {
      reconcile.run();
    } catch (RuntimeException e) {
      // A scheduled task that throws is never run again: log, and let the next run retry.
      LOG.warn("{} failed to reconcile; retrying", name, e);
    }
  }

  /** Stops reconciling, waiting briefly for a running reconcile to end. */
  @Override
  public void close() {
    executor.shutdown();
    try {
      if (!executor.awaitTermination(5, TimeUnit.SECONDS)) {
        executor.shutdownNow();
      }
    } catch (InterruptedException e) {
      executor.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }
}
