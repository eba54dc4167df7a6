package io.sibus.engine.election;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jboss.logging.Logger;

/**
 * The active member keeping its Lease: renews it every retry period and reports it lost, once, when
 * the Lease names another holder (or none) or when no renewal succeeded for the renew deadline. The
 * deadline is watched on its own thread, so a renewal stuck in a slow request cannot hold the
 * report back.
 */
final class LeaseRenewal {
  private static final Logger LOG = Logger.getLogger(LeaseRenewal.class);

  /** What the renewal tells its election. */
  interface Listener {
    /** A renewal succeeded. */
    void renewed(long attemptNanos);

    /** A renewal could not reach the API server (the deadline decides whether that matters). */
    void unreachable(KubernetesClientException cause);

    /** The Lease is lost for {@code why}; called once, after which the renewal has stopped. */
    void lost(String why);
  }

  private final EngineLease lease;
  private final String member;
  private final long deadlineNanos;
  private final Listener listener;
  private final ScheduledExecutorService executor;
  private final AtomicBoolean over = new AtomicBoolean();
  private volatile long renewedAt;

  /**
   * Starts renewing at once. {@code renewedAt} ({@link System#nanoTime()}) is the last time this
   * member confirmed the Lease as its own; the deadline runs from there.
   */
  LeaseRenewal(
      EngineLease lease, String member, LeaseSettings settings, long renewedAt, Listener listener) {
    this.lease = lease;
    this.member = member;
    this.deadlineNanos = settings.renewDeadline().toNanos();
    this.listener = listener;
    this.renewedAt = renewedAt;
    this.executor =
        Executors.newScheduledThreadPool(
            2,
            r -> {
              Thread t = new Thread(r, "sibus-lease");
              t.setDaemon(true);
              return t;
            });
    long period = settings.retryPeriod().toMillis();
    executor.scheduleWithFixedDelay(this::renew, 0, period, TimeUnit.MILLISECONDS);
    long watch = Math.max(10, Math.min(period, Duration.ofMillis(250).toMillis()));
    executor.scheduleAtFixedRate(this::watchDeadline, watch, watch, TimeUnit.MILLISECONDS);
  }

  private void renew() {
    long attempt = System.nanoTime();
    try {
      Lease current = lease.read();
      String holder = current == null ? null : EngineLease.holder(current);
      if (current == null) {
        lose("its Lease was deleted");
      } else if (!member.equals(holder)) {
        lose(
            holder == null
                ? "its Lease was released by someone else"
                : "its Lease now names " + holder + " as the holder");
      } else if (lease.renew(current, ZonedDateTime.now(ZoneOffset.UTC))) {
        renewedAt = attempt;
        listener.renewed(attempt);
      }
      // A write that lost a race (409) renews at the next period; the deadline still applies.
    } catch (KubernetesClientException e) {
      listener.unreachable(e);
    } catch (RuntimeException e) {
      // Thrown on, it would cancel the renewals for good, and the deadline would then report the
      // Lease lost without the cause; tried again at the next period, the deadline still applies.
      LOG.warnf(e, "SIBUS0051W The renewal of member %s's Lease failed and is retried", member);
    }
  }

  private void watchDeadline() {
    if (System.nanoTime() - renewedAt > deadlineNanos) {
      lose(
          "no renewal of its Lease succeeded for the renew deadline of "
              + Duration.ofNanos(deadlineNanos));
    }
  }

  private void lose(String why) {
    if (over.compareAndSet(false, true)) {
      executor.shutdown();
      listener.lost(why);
    }
  }

  /** Stops renewing; a renewal in flight may still finish (its write races nobody's safely). */
  void stop() {
    over.set(true);
    executor.shutdown();
  }
}
