package io.sibus.engine.messaging;

import io.sibus.engine.health.Faults;
import io.sibus.engine.store.StoreFailures;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * The active member's housekeeping: expired receipt locks (redelivery or the exception
 * destination), messages past their time to live, idempotency keys past the window, and the
 * messages of removed destinations (failed moves tried again, and messages stored after a move).
 */
final class Sweeper {
  private static final Logger LOG = Logger.getLogger(Sweeper.class);
  private static final long PURGE_EVERY_MILLIS = 60_000;
  private final Messaging messaging;
  private final Faults faults;
  private ScheduledExecutorService executor;
  private volatile StoreFailures failures;
  private long lastPurge;

  Sweeper(Messaging messaging, Faults faults) {
    this.messaging = messaging;
    this.faults = faults;
  }

  /** Starts the housekeeping; an Error that ends it is reported to {@code failures}. */
  synchronized void start(Duration pollInterval, StoreFailures failures) {
    stop();
    this.failures = failures;
    long period = Math.max(50, Math.min(250, pollInterval.toMillis() * 2));
    executor =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "sibus-sweeper");
              t.setDaemon(true);
              return t;
            });
    lastPurge = System.currentTimeMillis();
    executor.scheduleWithFixedDelay(this::tick, period, period, TimeUnit.MILLISECONDS);
  }

  synchronized void stop() {
    if (executor != null) {
      executor.shutdownNow();
      executor = null;
    }
  }

  private void tick() {
    try {
      faults.maybeFail(Faults.Duty.HOUSEKEEPING);
      messaging.sweep();
      long now = System.currentTimeMillis();
      if (now - lastPurge >= PURGE_EVERY_MILLIS) {
        lastPurge = now;
        messaging.purgeIdempotency();
      }
    } catch (RuntimeException e) {
      LOG.warnf(e, "SIBUS0051W Housekeeping failed and will run again: %s", e.getMessage());
    } catch (Error e) {
      // The executor cancels a task that throws, without a word: locks would no longer expire
      // (their messages never delivered again), nor messages, keys and seen ids be purged.
      failures.dutyEnded("housekeeping", e);
      throw e;
    }
  }
}
