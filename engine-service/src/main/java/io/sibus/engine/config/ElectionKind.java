package io.sibus.engine.config;

import java.util.Map;
import java.util.Optional;

/**
 * Where "who may try to take the data store" is decided (the first of the two layers of activation,
 * DESIGN.md §3). Configured as {@code datastore} or {@code kubernetes}.
 */
public enum ElectionKind {
  /**
   * Standalone: every standby may try at any time; the data store's advisory lock alone picks the
   * active member.
   */
  DATASTORE,
  /**
   * In a cluster: only the holder of the engine's Kubernetes Lease may try, so the operator can
   * suppress or steer failover through the Lease.
   */
  KUBERNETES;

  /** The configured kind, or the default: Kubernetes in a pod, the data store elsewhere. */
  public static ElectionKind chosen(Optional<ElectionKind> configured, Map<String, String> env) {
    return configured.orElseGet(
        () -> env.containsKey("KUBERNETES_SERVICE_HOST") ? KUBERNETES : DATASTORE);
  }

  /** The configured spelling: {@code datastore} or {@code kubernetes}. */
  public String value() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
