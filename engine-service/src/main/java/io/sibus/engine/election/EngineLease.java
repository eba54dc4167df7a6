package io.sibus.engine.election;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseSpec;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.net.HttpURLConnection;
import java.time.ZonedDateTime;
import java.util.Map;

/**
 * The engine's {@code coordination.k8s.io/v1} Lease in the API server, and what it says. Every
 * write carries the {@code resourceVersion} the Lease was read with, so a write that races another
 * member's (or the operator's) gets 409 and is reported as not done, never applied over the other.
 */
final class EngineLease {
  /** The operator's mark on a Lease whose engine must not fail over (a global error). */
  static final String FAILOVER_SUPPRESSED = "sibus.io/failover-suppressed";

  private final KubernetesClient client;
  private final LeaseSettings settings;

  EngineLease(KubernetesClient client, LeaseSettings settings) {
    this.client = client;
    this.settings = settings;
  }

  /** The Lease, or null when it does not exist. */
  Lease read() {
    return client.leases().inNamespace(settings.namespace()).withName(settings.name()).get();
  }

  /** The Lease, created without a holder when missing (null only if it vanished meanwhile). */
  Lease readOrCreate() {
    Lease lease = read();
    if (lease != null) {
      return lease;
    }
    Lease fresh =
        new LeaseBuilder()
            .withNewMetadata()
            .withNamespace(settings.namespace())
            .withName(settings.name())
            .endMetadata()
            .withNewSpec()
            .withLeaseDurationSeconds(settings.leaseDurationSeconds())
            .withLeaseTransitions(0)
            .endSpec()
            .build();
    try {
      return client.leases().inNamespace(settings.namespace()).resource(fresh).create();
    } catch (KubernetesClientException e) {
      if (e.getCode() == HttpURLConnection.HTTP_CONFLICT) {
        return read(); // another member created it first
      }
      throw e;
    }
  }

  /** Makes {@code member} the holder of the Lease as {@code seen}; false when it changed since. */
  boolean take(Lease seen, String member, ZonedDateTime now) {
    LeaseSpec spec = spec(seen);
    int transitions = spec.getLeaseTransitions() == null ? 0 : spec.getLeaseTransitions();
    return write(
        new LeaseBuilder(seen)
            .editOrNewSpec()
            .withHolderIdentity(member)
            .withAcquireTime(now)
            .withRenewTime(now)
            .withLeaseDurationSeconds(settings.leaseDurationSeconds())
            .withLeaseTransitions(transitions + 1)
            .endSpec()
            .build());
  }

  /** Moves the renew time of the Lease as {@code seen}; false when it changed since. */
  boolean renew(Lease seen, ZonedDateTime now) {
    return write(
        new LeaseBuilder(seen)
            .editOrNewSpec()
            .withRenewTime(now)
            .withLeaseDurationSeconds(settings.leaseDurationSeconds())
            .endSpec()
            .build());
  }

  /** Clears the holder of the Lease as {@code seen}; false when it changed since. */
  boolean release(Lease seen) {
    return write(new LeaseBuilder(seen).editOrNewSpec().withHolderIdentity(null).endSpec().build());
  }

  private boolean write(Lease changed) {
    try {
      client.leases().inNamespace(settings.namespace()).resource(changed).update();
      return true;
    } catch (KubernetesClientException e) {
      if (e.getCode() == HttpURLConnection.HTTP_CONFLICT) {
        return false;
      }
      throw e;
    }
  }

  /** The holder the Lease names; null when it names none. */
  static String holder(Lease lease) {
    String holder = spec(lease).getHolderIdentity();
    return holder == null || holder.isBlank() ? null : holder;
  }

  /**
   * True when the operator marked the Lease: failover is suppressed. The value is tested, not the
   * key: an API server never stores a null value, but the test server leaves a key whose merge
   * patch removed it with a null value.
   */
  static boolean suppressed(Lease lease) {
    Map<String, String> annotations = lease.getMetadata().getAnnotations();
    return annotations != null && annotations.get(FAILOVER_SUPPRESSED) != null;
  }

  /**
   * True when the holder's last renewal (or, lacking one, its acquisition) plus the lease duration
   * lies before {@code now} by this member's clock. A Lease without either time is expired: nobody
   * keeps it. Clock skew can make this early; the data store's fence keeps that harmless.
   */
  static boolean expired(Lease lease, ZonedDateTime now, int defaultDurationSeconds) {
    LeaseSpec spec = spec(lease);
    ZonedDateTime last = spec.getRenewTime() != null ? spec.getRenewTime() : spec.getAcquireTime();
    if (last == null) {
      return true;
    }
    int seconds =
        spec.getLeaseDurationSeconds() != null
            ? spec.getLeaseDurationSeconds()
            : defaultDurationSeconds;
    return last.plusSeconds(seconds).toInstant().isBefore(now.toInstant());
  }

  private static LeaseSpec spec(Lease lease) {
    return lease.getSpec() != null ? lease.getSpec() : new LeaseSpec();
  }
}
