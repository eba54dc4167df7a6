package io.sibus.operator.reconciler;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.sibus.operator.Labels;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.HashMap;
import java.util.Map;

/**
 * The operator's writes to an engine's Lease: who may try (the member it hands the Lease to), and
 * the failover-suppressed mark. Optimistic: a conflict is simply retried at the next
 * reconciliation.
 */
@ApplicationScoped
public class EngineLeases {
  private final KubernetesClient client;

  public EngineLeases(KubernetesClient client) {
    this.client = client;
  }

  public Lease get(String namespace, String name) {
    return client.leases().inNamespace(namespace).withName(name).get();
  }

  public static boolean suppressed(Lease lease) {
    return lease != null
        && lease.getMetadata().getAnnotations() != null
        && lease.getMetadata().getAnnotations().containsKey(Labels.FAILOVER_SUPPRESSED);
  }

  public static String holder(Lease lease) {
    if (lease == null || lease.getSpec() == null) {
      return null;
    }
    String holder = lease.getSpec().getHolderIdentity();
    return holder == null || holder.isBlank() ? null : holder;
  }

  /**
   * Hands the Lease to {@code member} now (the standby to activate), retrying a few times when the
   * Lease changed meanwhile (a member renewing or releasing it).
   */
  public boolean handTo(Lease lease, String member) {
    Lease current = lease;
    for (int attempt = 0; attempt < 3 && current != null; attempt++) {
      if (member.equals(current.getSpec().getHolderIdentity()) || handToOnce(current, member)) {
        return true;
      }
      current = get(current.getMetadata().getNamespace(), current.getMetadata().getName());
    }
    return false;
  }

  private boolean handToOnce(Lease lease, String member) {
    int transitions =
        lease.getSpec().getLeaseTransitions() == null ? 0 : lease.getSpec().getLeaseTransitions();
    ZonedDateTime now = ZonedDateTime.now(ZoneOffset.UTC);
    lease.getSpec().setHolderIdentity(member);
    lease.getSpec().setAcquireTime(now);
    lease.getSpec().setRenewTime(now);
    lease.getSpec().setLeaseTransitions(transitions + 1);
    return update(lease);
  }

  public boolean suppress(Lease lease, String reason) {
    Map<String, String> annotations = annotations(lease);
    if (annotations.containsKey(Labels.FAILOVER_SUPPRESSED)) {
      return true;
    }
    annotations.put(Labels.FAILOVER_SUPPRESSED, reason);
    lease.getMetadata().setAnnotations(annotations);
    return update(lease);
  }

  public boolean lift(Lease lease) {
    Map<String, String> annotations = annotations(lease);
    if (annotations.remove(Labels.FAILOVER_SUPPRESSED) == null) {
      return true;
    }
    lease.getMetadata().setAnnotations(annotations);
    return update(lease);
  }

  private static Map<String, String> annotations(Lease lease) {
    return lease.getMetadata().getAnnotations() == null
        ? new HashMap<>()
        : new HashMap<>(lease.getMetadata().getAnnotations());
  }

  private boolean update(Lease lease) {
    try {
      client.leases().inNamespace(lease.getMetadata().getNamespace()).resource(lease).update();
      return true;
    } catch (KubernetesClientException e) {
      if (e.getCode() == 409) {
        return false;
      }
      throw e;
    }
  }
}
