package io.sibus.engine.election;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.sibus.datastore.ErrorClass;
import io.sibus.datastore.StoreException;
import io.sibus.engine.config.ElectionKind;
import io.sibus.engine.error.ErrorLog;
import io.sibus.engine.lifecycle.MemberStatus;
import io.sibus.engine.store.StoreFailures;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The election in a cluster: one {@code coordination.k8s.io/v1} Lease per engine says which member
 * may try to take the data store. A standby may try when the Lease names it (the operator may hand
 * the Lease to a chosen standby), or when it could take the Lease because nobody holds it or the
 * holder let it expire; never when the operator marked it {@code sibus.io/failover-suppressed}. The
 * active member renews the Lease and stops (a local error) when it loses it; a clean stop gives it
 * back.
 *
 * <p>Expiry is judged by this member's clock against the holder's renew time, as fabric8's
 * LeaderElector does; skewed clocks or a slow holder can therefore let two members believe they may
 * try. That is why the Lease never decides alone: the data store's advisory lock and epoch fence
 * decide who writes.
 */
public final class KubernetesElection implements Election {
  /**
   * A standby reads the Lease at most this often, so that standbys do not hammer the API server.
   */
  static final long LOOK_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(250);

  /** Enough to outlast the one renewal that may still be in flight when renewal stops. */
  private static final int RELEASE_ATTEMPTS = 3;

  private final EngineLease lease;
  private final LeaseSettings settings;
  private final String engine;
  private final String member;
  private final MemberStatus status;
  private final ErrorLog errors;
  private final AtomicBoolean unreachable = new AtomicBoolean();
  private long nextLook = System.nanoTime();
  private boolean lastAnswer;
  private volatile boolean holding;
  private volatile long confirmedAt;
  private LeaseRenewal renewal;

  public KubernetesElection(
      KubernetesClient client,
      LeaseSettings settings,
      String engine,
      String member,
      MemberStatus status,
      ErrorLog errors) {
    this.lease = new EngineLease(client, settings);
    this.settings = settings;
    this.engine = engine;
    this.member = member;
    this.status = status;
    this.errors = errors;
  }

  @Override
  public ElectionKind kind() {
    return ElectionKind.KUBERNETES;
  }

  @Override
  public boolean mayTry() {
    long now = System.nanoTime();
    if (now - nextLook < 0) {
      return lastAnswer;
    }
    lastAnswer = look();
    nextLook = System.nanoTime() + LOOK_INTERVAL_NANOS;
    return lastAnswer;
  }

  /** One look at the Lease as a standby: may this member try, taking the Lease if it can? */
  private boolean look() {
    try {
      Lease current = lease.readOrCreate();
      reachable();
      if (current == null) {
        return false; // deleted between the 409 of our create and the read: look again
      }
      String holder = EngineLease.holder(current);
      if (EngineLease.suppressed(current)) {
        status.electionSeen(member.equals(holder) ? null : holder, true);
        return false;
      }
      if (member.equals(holder)) {
        status.electionSeen(null, false);
        return confirm(current);
      }
      ZonedDateTime now = ZonedDateTime.now(ZoneOffset.UTC);
      if (holder == null || EngineLease.expired(current, now, settings.leaseDurationSeconds())) {
        status.electionSeen(null, false);
        return take(current, holder, now);
      }
      holding = false;
      status.electionSeen(holder, false);
      return false;
    } catch (KubernetesClientException e) {
      unreachable(e);
      return false;
    }
  }

  /**
   * The Lease names this member (it took it before, or the operator handed it over): renew it when
   * due, so that it does not expire while this member waits for the data store.
   */
  private boolean confirm(Lease current) {
    long attempt = System.nanoTime();
    if (holding && attempt - confirmedAt < settings.retryPeriod().toNanos()) {
      return true;
    }
    if (!lease.renew(current, ZonedDateTime.now(ZoneOffset.UTC))) {
      return false; // changed meanwhile: look again
    }
    if (!holding) {
      errors.info(
          "SIBUS0054I",
          "Member "
              + member
              + " of messaging engine "
              + engine
              + " is named the holder of the Lease "
              + settings.describe()
              + " (handed over by the operator, or kept from an earlier start of this pod) and may"
              + " now try to take the data store.");
    }
    confirmed(attempt);
    return true;
  }

  private boolean take(Lease current, String previous, ZonedDateTime now) {
    long attempt = System.nanoTime();
    if (!lease.take(current, member, now)) {
      return false; // another member took it first (409)
    }
    confirmed(attempt);
    errors.info(
        "SIBUS0054I",
        "Member "
            + member
            + " of messaging engine "
            + engine
            + " took the Lease "
            + settings.describe()
            + (previous == null
                ? " (it had no holder)"
                : " (it had expired; holder " + previous + ")")
            + " and may now try to take the data store.");
    return true;
  }

  private void confirmed(long attemptNanos) {
    confirmedAt = attemptNanos;
    holding = true;
  }

  @Override
  public synchronized void activated(StoreFailures failures) {
    stopRenewal();
    // The deadline runs from the last confirmation, but a member that activates long after it
    // (leaving a global error, which stops renewal) gets one retry period to confirm the Lease.
    long earliest =
        System.nanoTime() - settings.renewDeadline().toNanos() + settings.retryPeriod().toNanos();
    long since = holding && confirmedAt - earliest > 0 ? confirmedAt : earliest;
    renewal = new LeaseRenewal(lease, member, settings, since, renewalListener(failures));
  }

  private LeaseRenewal.Listener renewalListener(StoreFailures failures) {
    return new LeaseRenewal.Listener() {
      @Override
      public void renewed(long attemptNanos) {
        confirmed(attemptNanos);
        reachable();
      }

      @Override
      public void unreachable(KubernetesClientException cause) {
        KubernetesElection.this.unreachable(cause);
      }

      @Override
      public void lost(String why) {
        holding = false;
        failures.storeFailed(
            new StoreException(
                ErrorClass.LOCAL,
                "SIBUS0052E",
                "Member "
                    + member
                    + " of messaging engine "
                    + engine
                    + " lost its Lease "
                    + settings.describe()
                    + ": "
                    + why
                    + ". The member stops so that only the holder of the Lease serves the engine.",
                "None if another member took over; otherwise check that the member reaches the"
                    + " Kubernetes API server and may update Leases in namespace "
                    + settings.namespace()
                    + "."));
      }
    };
  }

  @Override
  public synchronized void standDown() {
    stopRenewal();
  }

  @Override
  public synchronized void release() {
    stopRenewal();
    if (!holding) {
      return;
    }
    holding = false;
    try {
      for (int attempt = 0; attempt < RELEASE_ATTEMPTS; attempt++) {
        Lease current = lease.read();
        if (current == null || !member.equals(EngineLease.holder(current))) {
          return; // somebody else's now: not ours to release
        }
        if (lease.release(current)) {
          errors.info(
              "SIBUS0055I",
              "Member "
                  + member
                  + " of messaging engine "
                  + engine
                  + " released the Lease "
                  + settings.describe()
                  + ": a standby may take over at once.");
          return;
        }
        // 409: a renewal of ours still in flight, or another writer: read again.
      }
    } catch (KubernetesClientException e) {
      // The Lease expires by itself; standbys wait for that instead.
      unreachable(e);
    }
  }

  private void stopRenewal() {
    if (renewal != null) {
      renewal.stop();
      renewal = null;
    }
  }

  /** Logged once per outage: a standby does not try meanwhile, an active member has a deadline. */
  private void unreachable(KubernetesClientException cause) {
    if (unreachable.compareAndSet(false, true)) {
      errors.report(
          ErrorClass.RECOVERABLE,
          "SIBUS0053W",
          "Member "
              + member
              + " of messaging engine "
              + engine
              + " cannot read or write the Lease "
              + settings.describe()
              + " ("
              + cause.getMessage()
              + "); a standby does not try to take the data store meanwhile, and an active member"
              + " stops when it cannot renew the Lease within "
              + settings.renewDeadline()
              + ".",
          "Check that the member reaches the Kubernetes API server and that its service account"
              + " may get, create and update Leases in namespace "
              + settings.namespace()
              + ".");
    }
  }

  private void reachable() {
    unreachable.set(false);
  }
}
