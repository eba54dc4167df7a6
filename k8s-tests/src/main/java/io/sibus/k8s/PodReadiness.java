package io.sibus.k8s;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import java.util.List;

/** A pod's life as controllers see it, read from the status the pod runner writes. */
final class PodReadiness {
  private PodReadiness() {}

  /** Deleted, but still there while it shuts down (it has a {@code deletionTimestamp}). */
  static boolean isTerminating(Pod pod) {
    return pod.getMetadata().getDeletionTimestamp() != null;
  }

  /** Ended for good: phase Failed or Succeeded. */
  static boolean isFinished(Pod pod) {
    String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
    return "Failed".equals(phase) || "Succeeded".equals(phase);
  }

  /**
   * Ready to serve: has an address, is neither terminating nor finished, and its {@code Ready}
   * condition is {@code True}.
   */
  static boolean isReady(Pod pod) {
    if (isTerminating(pod) || isFinished(pod) || podIp(pod) == null) {
      return false;
    }
    List<PodCondition> conditions = pod.getStatus().getConditions();
    return conditions != null
        && conditions.stream()
            .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
  }

  /** The pod's address, or null before it has one. */
  static String podIp(Pod pod) {
    String ip = pod.getStatus() == null ? null : pod.getStatus().getPodIP();
    return ip == null || ip.isEmpty() ? null : ip;
  }
}
