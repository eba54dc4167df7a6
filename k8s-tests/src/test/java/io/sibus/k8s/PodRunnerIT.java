package io.sibus.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The pod runner as a kubelet: a pod of the engine image runs as a process on its own pod IP with
 * its ConfigMap volume and environment; readiness makes it Ready; a failing liveness probe gets the
 * container killed and restarted, counted in its status with the last termination; a deleted pod's
 * process ends.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PodRunnerIT {
  private static final String NS = "runner";
  LocalCluster cluster;
  KubernetesClient client;

  @BeforeAll
  void start() {
    Path work =
        E2ECluster.HOME.resolve("k8s-tests/target/e2e/PodRunnerIT-" + System.currentTimeMillis());
    cluster = LocalCluster.start(work, LocalImages.fromBuild(E2ECluster.HOME));
    client = cluster.client();
    client
        .resource(
            new ConfigMapBuilder()
                .withNewMetadata()
                .withName("bus")
                .withNamespace(NS)
                .endMetadata()
                .addToData(
                    "bus.yaml",
                    "bus: b\nengines:\n  - name: e\n    urls: [http://127.0.0.1:1]\ndestinations: []\n")
                .build())
        .create();
  }

  @AfterAll
  void stop() {
    cluster.close();
  }

  @Test
  void aFailingLivenessProbeRestartsTheContainerAndTheStatusSaysSo() {
    client.resource(enginePod("liveness", probe("/nope", 2))).create();

    await("a restart after the liveness probe failed")
        .atMost(Duration.ofMinutes(3))
        .until(() -> container("liveness") != null && container("liveness").getRestartCount() >= 1);
    Pod pod = client.pods().inNamespace(NS).withName("liveness").get();
    ContainerStatus status = pod.getStatus().getContainerStatuses().get(0);
    assertThat(pod.getStatus().getPodIP()).startsWith("127.20.");
    assertThat(pod.getStatus().getPhase()).isEqualTo("Running");
    assertThat(status.getLastState().getTerminated()).isNotNull();
    assertThat(status.getLastState().getTerminated().getExitCode()).isNotZero();
    assertThat(status.getLastState().getTerminated().getFinishedAt()).isNotNull();
  }

  @Test
  void aReadyPodsProcessEndsWhenThePodIsDeleted() {
    client.resource(enginePod("ready", null)).create();
    await("Ready")
        .atMost(Duration.ofMinutes(3))
        .until(
            () -> container("ready") != null && Boolean.TRUE.equals(container("ready").getReady()));
    long pid = cluster.pods().pid(NS, "ready", null);
    assertThat(pid).isPositive();
    assertThat(container("ready").getContainerID()).isEqualTo("local://" + pid);

    client.pods().inNamespace(NS).withName("ready").delete();
    await("the process ended")
        .atMost(Duration.ofMinutes(1))
        .until(() -> ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true));
  }

  private ContainerStatus container(String pod) {
    Pod p = client.pods().inNamespace(NS).withName(pod).get();
    return p == null
            || p.getStatus() == null
            || p.getStatus().getContainerStatuses() == null
            || p.getStatus().getContainerStatuses().isEmpty()
        ? null
        : p.getStatus().getContainerStatuses().get(0);
  }

  private static Probe probe(String path, int failureThreshold) {
    return new ProbeBuilder()
        .withNewHttpGet()
        .withPath(path)
        .withNewPort(8080)
        .endHttpGet()
        .withPeriodSeconds(1)
        .withFailureThreshold(failureThreshold)
        .build();
  }

  /** A member of an engine whose database is away: it starts and waits, alive. */
  private static Pod enginePod(String name, Probe liveness) {
    return new PodBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace(NS)
        .endMetadata()
        .withNewSpec()
        .withTerminationGracePeriodSeconds(10L)
        .addNewContainer()
        .withName("engine")
        .withImage(LocalImages.ENGINE + ":test")
        .addNewEnv()
        .withName("POD_IP")
        .withNewValueFrom()
        .withNewFieldRef()
        .withFieldPath("status.podIP")
        .endFieldRef()
        .endValueFrom()
        .endEnv()
        .addNewEnv()
        .withName("SIBUS_ENGINE_URL")
        .withValue("http://$(POD_IP):8080")
        .endEnv()
        .addNewEnv()
        .withName("SIBUS_BUS_NAME")
        .withValue("b")
        .endEnv()
        .addNewEnv()
        .withName("SIBUS_ENGINE_NAME")
        .withValue("e")
        .endEnv()
        .addNewEnv()
        .withName("SIBUS_ENGINE_INITIAL_STATE")
        .withValue("STOPPED")
        .endEnv()
        .addNewEnv()
        .withName("SIBUS_BUS_CONFIG_FILE")
        .withValue("/etc/sibus/bus.yaml")
        .endEnv()
        .addNewEnv()
        .withName("QUARKUS_DATASOURCE_JDBC_URL")
        .withValue("jdbc:postgresql://127.0.0.1:9/none")
        .endEnv()
        .withStartupProbe(probe("/q/health/started", 120))
        .withReadinessProbe(probe("/q/health/live", 3))
        .withLivenessProbe(liveness)
        .addNewVolumeMount()
        .withName("config")
        .withMountPath("/etc/sibus")
        .endVolumeMount()
        .endContainer()
        .addNewVolume()
        .withName("config")
        .withNewConfigMap()
        .withName("bus")
        .endConfigMap()
        .endVolume()
        .endSpec()
        .build();
  }
}
