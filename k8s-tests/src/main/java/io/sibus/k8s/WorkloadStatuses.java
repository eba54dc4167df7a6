package io.sibus.k8s;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentCondition;
import io.fabric8.kubernetes.api.model.apps.DeploymentConditionBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetStatus;
import io.fabric8.kubernetes.api.model.apps.StatefulSetStatusBuilder;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * Workload statuses computed from their pods, with the fields {@code kubectl rollout status} and
 * {@code kubectl wait --for=condition=Available} read. A condition keeps its timestamps while it
 * does not change, so an unchanged workload gets an equal status and is not written again.
 */
final class WorkloadStatuses {
  private WorkloadStatuses() {}

  /**
   * The status of a Deployment whose live (neither terminating nor ended) pods are {@code pods}.
   */
  static DeploymentStatus deployment(
      Deployment deployment, int desired, String templateHash, List<Pod> pods) {
    int ready = count(pods, PodReadiness::isReady);
    int updated = count(pods, p -> hasLabel(p, WorkloadPods.POD_TEMPLATE_HASH, templateHash));
    DeploymentStatus before = deployment.getStatus();
    List<DeploymentCondition> previous = before == null ? List.of() : before.getConditions();
    boolean available = ready >= desired;
    boolean complete = available && updated == desired && pods.size() == desired;
    List<DeploymentCondition> conditions = new ArrayList<>();
    conditions.add(
        condition(
            previous,
            "Available",
            available,
            available ? "MinimumReplicasAvailable" : "MinimumReplicasUnavailable",
            available
                ? "Deployment has minimum availability."
                : "Deployment does not have minimum availability."));
    conditions.add(
        condition(
            previous,
            "Progressing",
            true,
            complete ? "NewReplicaSetAvailable" : "ReplicaSetUpdated",
            complete ? "Deployment has successfully progressed." : "Deployment is progressing."));
    return new DeploymentStatusBuilder()
        .withObservedGeneration(deployment.getMetadata().getGeneration())
        .withReplicas(pods.size())
        .withUpdatedReplicas(updated)
        .withReadyReplicas(ready)
        .withAvailableReplicas(ready)
        .withUnavailableReplicas(desired > ready ? desired - ready : null)
        .withConditions(conditions)
        .build();
  }

  /** The status of a StatefulSet whose live pods are {@code pods}. */
  static StatefulSetStatus statefulSet(StatefulSet statefulSet, String revision, List<Pod> pods) {
    int ready = count(pods, PodReadiness::isReady);
    int current = count(pods, p -> hasLabel(p, WorkloadPods.CONTROLLER_REVISION_HASH, revision));
    return new StatefulSetStatusBuilder()
        .withObservedGeneration(statefulSet.getMetadata().getGeneration())
        .withReplicas(pods.size())
        .withReadyReplicas(ready)
        .withAvailableReplicas(ready)
        .withCurrentReplicas(current)
        .withUpdatedReplicas(current)
        .withCurrentRevision(revision)
        .withUpdateRevision(revision)
        .build();
  }

  private static DeploymentCondition condition(
      List<DeploymentCondition> previous,
      String type,
      boolean status,
      String reason,
      String message) {
    String value = status ? "True" : "False";
    for (DeploymentCondition old : previous) {
      if (type.equals(old.getType())
          && value.equals(old.getStatus())
          && reason.equals(old.getReason())) {
        return old;
      }
    }
    // API timestamps have whole seconds.
    String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
    return new DeploymentConditionBuilder()
        .withType(type)
        .withStatus(value)
        .withReason(reason)
        .withMessage(message)
        .withLastTransitionTime(now)
        .withLastUpdateTime(now)
        .build();
  }

  private static int count(List<Pod> pods, Predicate<Pod> predicate) {
    return (int) pods.stream().filter(predicate).count();
  }

  private static boolean hasLabel(Pod pod, String label, String value) {
    Map<String, String> labels = pod.getMetadata().getLabels();
    return labels != null && Objects.equals(labels.get(label), value);
  }
}
