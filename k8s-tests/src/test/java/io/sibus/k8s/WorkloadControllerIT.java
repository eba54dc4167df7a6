package io.sibus.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentCondition;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.sibus.local.LocalApiServer;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The Deployment and StatefulSet controllers on the local API server. The test plays the pod
 * runner: it marks pods ready or ended in their status.
 */
class WorkloadControllerIT {
  private static final String NS = "apps";
  private static final PatchContext MERGE = PatchContext.of(PatchType.JSON_MERGE);
  private LocalApiServer api;
  private KubernetesClient client;
  private WorkloadController controller;

  @BeforeEach
  void start() {
    api = LocalApiServer.start(0);
    client = api.client();
    controller = WorkloadController.start(client);
  }

  @AfterEach
  void stop() {
    controller.close();
    client.close();
    api.close();
  }

  @Test
  void aDeploymentKeepsItsReplicasAndReportsThem() {
    Deployment deployment = createDeployment("web", 2);

    List<Pod> pods = await().until(() -> pods("app", "web"), p -> p.size() == 2);
    for (Pod pod : pods) {
      String hash = pod.getMetadata().getLabels().get("pod-template-hash");
      assertThat(hash).matches("[0-9a-f]{10}");
      assertThat(pod.getMetadata().getName()).matches("web-" + hash + "-[a-z0-9]{5}");
      assertThat(pod.getMetadata().getLabels()).containsEntry("app", "web");
      assertThat(pod.getSpec().getContainers().get(0).getImage()).isEqualTo("web:1");
      OwnerReference owner = pod.getMetadata().getOwnerReferences().get(0);
      assertThat(owner.getKind()).isEqualTo("Deployment");
      assertThat(owner.getApiVersion()).isEqualTo("apps/v1");
      assertThat(owner.getName()).isEqualTo("web");
      assertThat(owner.getUid()).isEqualTo(deployment.getMetadata().getUid());
      assertThat(owner.getController()).isTrue();
    }
    await().until(() -> deployment("web").getStatus(), s -> s != null && s.getReplicas() == 2);
    assertThat(available(deployment("web"))).isEqualTo("False");

    pods.forEach(pod -> setStatus(pod.getMetadata().getName(), "Running", true));

    await()
        .untilAsserted(
            () -> {
              Deployment stored = deployment("web");
              assertThat(stored.getStatus().getReadyReplicas()).isEqualTo(2);
              assertThat(stored.getStatus().getAvailableReplicas()).isEqualTo(2);
              assertThat(stored.getStatus().getUpdatedReplicas()).isEqualTo(2);
              assertThat(stored.getStatus().getObservedGeneration())
                  .isNotNull()
                  .isEqualTo(stored.getMetadata().getGeneration());
              assertThat(available(stored)).isEqualTo("True");
            });
  }

  @Test
  void aDeploymentReplacesDeletedAndEndedPodsAndScalesToZero() {
    createDeployment("web", 2);
    List<Pod> first = await().until(() -> pods("app", "web"), p -> p.size() == 2);
    String deleted = first.get(0).getMetadata().getName();
    String ended = first.get(1).getMetadata().getName();

    client.pods().inNamespace(NS).withName(deleted).delete();
    await().until(() -> names(pods("app", "web")), n -> n.size() == 2 && !n.contains(deleted));

    setStatus(ended, "Failed", false);
    await().until(() -> names(pods("app", "web")), n -> n.size() == 2 && !n.contains(ended));

    client
        .apps()
        .deployments()
        .inNamespace(NS)
        .withName("web")
        .patch(MERGE, "{\"spec\":{\"replicas\":0}}");
    await().until(() -> pods("app", "web").isEmpty());
    await().until(() -> deployment("web").getStatus().getReplicas() == 0);
  }

  @Test
  void deletingAWorkloadDeletesItsPods() {
    createDeployment("web", 1);
    createStatefulSet("db", 1);
    await().until(() -> pods("app", "web").size() == 1 && pods("app", "db").size() == 1);

    client.apps().deployments().inNamespace(NS).withName("web").delete();
    client.apps().statefulSets().inNamespace(NS).withName("db").delete();

    await().until(() -> client.pods().inNamespace(NS).list().getItems().isEmpty());
  }

  @Test
  void aStatefulSetCreatesItsPodsInOrderAndRemovesTheHighestFirst() throws Exception {
    StatefulSet statefulSet = createStatefulSet("db", 2);

    Pod first = await().until(() -> pod("db-0"), p -> p != null);
    assertThat(first.getSpec().getHostname()).isEqualTo("db-0");
    assertThat(first.getSpec().getSubdomain()).isEqualTo("db");
    assertThat(first.getMetadata().getLabels())
        .containsEntry("app", "db")
        .containsEntry("statefulset.kubernetes.io/pod-name", "db-0");
    assertThat(first.getMetadata().getOwnerReferences().get(0).getUid())
        .isEqualTo(statefulSet.getMetadata().getUid());
    Thread.sleep(1_500); // more than a periodic reconcile
    assertThat(pod("db-1")).as("created only once db-0 is ready").isNull();

    setStatus("db-0", "Running", true);
    Pod second = await().until(() -> pod("db-1"), p -> p != null);
    assertThat(second.getMetadata().getLabels())
        .containsEntry("statefulset.kubernetes.io/pod-name", "db-1");
    setStatus("db-1", "Running", true);
    await()
        .untilAsserted(
            () -> {
              StatefulSet stored =
                  client.apps().statefulSets().inNamespace(NS).withName("db").get();
              assertThat(stored.getStatus().getReadyReplicas()).isEqualTo(2);
              assertThat(stored.getStatus().getReplicas()).isEqualTo(2);
              assertThat(stored.getStatus().getCurrentRevision())
                  .isEqualTo(stored.getStatus().getUpdateRevision())
                  .startsWith("db-");
            });

    client.pods().inNamespace(NS).withName("db-0").delete();
    await().until(() -> pod("db-0"), p -> p != null);

    client
        .apps()
        .statefulSets()
        .inNamespace(NS)
        .withName("db")
        .patch(MERGE, "{\"spec\":{\"replicas\":1}}");
    await().until(() -> names(pods("app", "db")), n -> n.equals(List.of("db-0")));
  }

  private Deployment createDeployment(String name, int replicas) {
    return client
        .apps()
        .deployments()
        .inNamespace(NS)
        .resource(
            new DeploymentBuilder()
                .withNewMetadata()
                .withName(name)
                .endMetadata()
                .withNewSpec()
                .withReplicas(replicas)
                .withNewSelector()
                .withMatchLabels(Map.of("app", name))
                .endSelector()
                .withTemplate(template(name))
                .endSpec()
                .build())
        .create();
  }

  private StatefulSet createStatefulSet(String name, int replicas) {
    return client
        .apps()
        .statefulSets()
        .inNamespace(NS)
        .resource(
            new StatefulSetBuilder()
                .withNewMetadata()
                .withName(name)
                .endMetadata()
                .withNewSpec()
                .withReplicas(replicas)
                .withServiceName(name)
                .withNewSelector()
                .withMatchLabels(Map.of("app", name))
                .endSelector()
                .withTemplate(template(name))
                .endSpec()
                .build())
        .create();
  }

  private static PodTemplateSpec template(String app) {
    return new PodTemplateSpecBuilder()
        .withNewMetadata()
        .withLabels(Map.of("app", app))
        .endMetadata()
        .withNewSpec()
        .addNewContainer()
        .withName(app)
        .withImage(app + ":1")
        .endContainer()
        .endSpec()
        .build();
  }

  private Deployment deployment(String name) {
    return client.apps().deployments().inNamespace(NS).withName(name).get();
  }

  private static String available(Deployment deployment) {
    return deployment.getStatus().getConditions().stream()
        .filter(c -> c.getType().equals("Available"))
        .map(DeploymentCondition::getStatus)
        .findFirst()
        .orElse(null);
  }

  private Pod pod(String name) {
    return client.pods().inNamespace(NS).withName(name).get();
  }

  private List<Pod> pods(String label, String value) {
    return client.pods().inNamespace(NS).withLabel(label, value).list().getItems();
  }

  private static List<String> names(List<Pod> pods) {
    return pods.stream().map(p -> p.getMetadata().getName()).sorted().toList();
  }

  /** What the pod runner writes: an address, a phase and the Ready condition. */
  private void setStatus(String name, String phase, boolean ready) {
    Pod pod = pod(name);
    pod.setStatus(
        new PodStatusBuilder()
            .withPhase(phase)
            .withPodIP("127.222.0.1")
            .addNewCondition()
            .withType("Ready")
            .withStatus(ready ? "True" : "False")
            .endCondition()
            .build());
    client.pods().resource(pod).updateStatus();
  }
}
