package io.sibus.k8s;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodIP;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One pod on this node: its containers started as local processes, probed, restarted, and its
 * status (phase, IP, conditions, container states) written back through the status subresource
 * whenever it changes. Ends when the pod is deleted: SIGTERM, the pod's grace period, SIGKILL.
 */
final class PodWorker implements Runnable {
  private static final Logger LOG = LoggerFactory.getLogger(PodWorker.class);
  private static final Duration TICK = Duration.ofMillis(200);
  private static final Duration VOLUME_REFRESH = Duration.ofSeconds(2);

  private final KubernetesClient client;
  private final Pod pod;
  private final String podIp;
  private final PodFiles files;
  private final LocalImages images;
  private final PodEnvironment environment;
  private final Map<String, ContainerSlot> slots = new LinkedHashMap<>();
  private final Map<String, PodCondition> conditions = new HashMap<>();
  private final Instant startTime = Instant.now();
  private volatile boolean deleted;
  private volatile Duration deletionGrace;
  private PodStatus published;
  private Instant volumesWritten = Instant.MIN;

  PodWorker(KubernetesClient client, Pod pod, String podIp, PodFiles files, LocalImages images) {
    this.client = client;
    this.pod = pod;
    this.podIp = podIp;
    this.files = files;
    this.images = images;
    this.environment = new PodEnvironment(client, pod, files.podDirectory());
    Duration grace =
        Duration.ofSeconds(
            pod.getSpec().getTerminationGracePeriodSeconds() == null
                ? 30
                : pod.getSpec().getTerminationGracePeriodSeconds());
    this.deletionGrace = grace;
    for (Container c : pod.getSpec().getContainers()) {
      slots.put(
          c.getName(),
          new ContainerSlot(
              c, pod.getMetadata().getName(), pod.getSpec().getRestartPolicy(), grace));
    }
  }

  String ip() {
    return podIp;
  }

  Pod pod() {
    return pod;
  }

  PodFiles files() {
    return files;
  }

  /** The pod was deleted: end its containers within {@code grace}. */
  void delete(Duration grace) {
    deletionGrace = grace;
    deleted = true;
  }

  /** kill -9 of a container's process (the first when {@code container} is null). */
  synchronized boolean kill(String container) {
    ContainerSlot slot =
        container == null ? slots.values().iterator().next() : slots.get(container);
    if (slot == null || !slot.runningNow()) {
      return false;
    }
    slot.kill();
    return true;
  }

  synchronized long pid(String container) {
    ContainerSlot slot =
        container == null ? slots.values().iterator().next() : slots.get(container);
    return slot == null ? -1 : slot.pid();
  }

  @Override
  public void run() {
    try {
      while (!deleted) {
        try {
          synchronized (this) {
            refreshVolumes();
            for (ContainerSlot slot : slots.values()) {
              slot.tick(() -> launch(slot.spec()), podIp, files.terminationMessage(slot.name()));
            }
          }
          publish();
        } catch (RuntimeException e) {
          // One bad step (an API call, a probe that cannot be run) must not orphan the pod.
          LOG.warn("pod {}: {}", name(), e.toString());
        }
        sleep(TICK);
      }
    } finally {
      stopAll();
    }
  }

  /** Ends every container (used on deletion and when the node shuts down). */
  private synchronized void stopAll() {
    for (ContainerSlot slot : slots.values()) {
      slot.stop(deletionGrace);
    }
  }

  private LocalContainer launch(Container container) {
    LocalImage image = images.find(container.getImage());
    Map<String, String> env = environment.environment(container, podIp);
    try {
      Files.deleteIfExists(files.terminationMessage(container.getName()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    LOG.info(
        "pod {}: starting container {} ({}) on {}",
        name(),
        container.getName(),
        container.getImage(),
        podIp);
    return image.start(
        new ContainerLaunch(
            pod,
            container,
            env,
            podIp,
            files.podDirectory(),
            files.dataDirectory(),
            files.log(container.getName()),
            files.terminationMessage(container.getName()),
            files.hostsFile(),
            files.kubeconfig()));
  }

  private void refreshVolumes() {
    Instant now = Instant.now();
    if (Duration.between(volumesWritten, now).compareTo(VOLUME_REFRESH) < 0) {
      return;
    }
    volumesWritten = now;
    try {
      environment.writeVolumes();
    } catch (PodStartException | KubernetesClientException e) {
      LOG.debug("pod {}: volumes not written yet: {}", name(), e.getMessage());
    }
  }

  private void publish() {
    PodStatus status = status();
    if (status.equals(published)) {
      return;
    }
    try {
      // The test server removes a deleted pod at once and controllers reuse names: a pod of this
      // name may be another one now, whose status is not this worker's to write.
      Pod current =
          client.pods().inNamespace(pod.getMetadata().getNamespace()).withName(name()).get();
      if (current == null || !pod.getMetadata().getUid().equals(current.getMetadata().getUid())) {
        deleted = true;
        return;
      }
      client
          .pods()
          .inNamespace(pod.getMetadata().getNamespace())
          .withName(name())
          .subresource("status")
          .patch(
              PatchContext.of(PatchType.JSON_MERGE),
              Serialization.asJson(Map.of("status", status)));
      published = status;
    } catch (KubernetesClientException e) {
      if (e.getCode() == 404) {
        deleted = true;
      } else {
        LOG.debug("pod {}: status not written: {}", name(), e.getMessage());
      }
    }
  }

  private synchronized PodStatus status() {
    List<ContainerStatus> containers = new ArrayList<>();
    boolean allReady = true;
    boolean anyRunning = false;
    boolean allFinished = true;
    boolean anyFailed = false;
    for (ContainerSlot slot : slots.values()) {
      containers.add(slot.status(slot.spec().getImage()));
      allReady &= slot.ready();
      anyRunning |= slot.runningNow();
      allFinished &= slot.finished();
      anyFailed |= slot.failed();
    }
    String phase =
        allFinished
            ? (anyFailed ? "Failed" : "Succeeded")
            : anyRunning || restarted() ? "Running" : "Pending";
    return new PodStatusBuilder()
        .withPhase(phase)
        .withPodIP(podIp)
        .withPodIPs(new PodIP(podIp))
        .withHostIP("127.0.0.1")
        .withStartTime(startTime.toString())
        .withConditions(
            condition("PodScheduled", true),
            condition("Initialized", true),
            condition("ContainersReady", allReady),
            condition("Ready", allReady))
        .withContainerStatuses(containers)
        .build();
  }

  private boolean restarted() {
    return slots.values().stream().anyMatch(s -> s.restarts() > 0);
  }

  /** A condition keeps its transition time until its status changes. */
  private PodCondition condition(String type, boolean value) {
    String status = value ? "True" : "False";
    PodCondition current = conditions.get(type);
    if (current == null || !current.getStatus().equals(status)) {
      current =
          new PodConditionBuilder()
              .withType(type)
              .withStatus(status)
              .withLastTransitionTime(Instant.now().toString())
              .build();
      conditions.put(type, current);
    }
    return current;
  }

  private String name() {
    return pod.getMetadata().getName();
  }

  private static void sleep(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
