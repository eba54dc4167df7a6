package io.sibus.k8s;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a kubelet does, for the pods of this one machine: every pod is run here, on a loopback
 * address of its own as its pod IP, one thread per pod ({@link PodWorker}).
 *
 * <p>A deleted pod's containers get SIGTERM and the pod's grace period before SIGKILL. The test
 * server removes a deleted pod at once (a real API server keeps it, terminating, until the kubelet
 * confirms), so a new pod of the same name may start while the old one's process still ends; it has
 * another IP, so the two never share an address.
 */
public final class PodRunner implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(PodRunner.class);

  private final KubernetesClient client;
  private final Path workDirectory;
  private final LocalImages images;
  private final IpAllocator ips;
  private final Function<String, PodFiles> namespaceFiles;
  private final Map<String, PodWorker> workers = new ConcurrentHashMap<>();
  private final Map<String, Thread> threads = new ConcurrentHashMap<>();
  private SharedIndexInformer<Pod> informer;

  private PodRunner(
      KubernetesClient client,
      Path workDirectory,
      LocalImages images,
      IpAllocator ips,
      Function<String, PodFiles> namespaceFiles) {
    this.client = client;
    this.workDirectory = workDirectory;
    this.images = images;
    this.ips = ips;
    this.namespaceFiles = namespaceFiles;
  }

  /**
   * @param namespaceFiles for a namespace, its hosts file and kubeconfig (the directories of the
   *     returned value are not used)
   */
  static PodRunner start(
      KubernetesClient client,
      Path workDirectory,
      LocalImages images,
      IpAllocator ips,
      Function<String, PodFiles> namespaceFiles) {
    PodRunner runner = new PodRunner(client, workDirectory, images, ips, namespaceFiles);
    runner.informer =
        client
            .pods()
            .inAnyNamespace()
            .inform(
                new ResourceEventHandler<>() {
                  @Override
                  public void onAdd(Pod pod) {
                    runner.seen(pod);
                  }

                  @Override
                  public void onUpdate(Pod old, Pod pod) {
                    runner.seen(pod);
                  }

                  @Override
                  public void onDelete(Pod pod, boolean unknownFinalState) {
                    runner.deleted(pod);
                  }
                },
                0);
    return runner;
  }

  private synchronized void seen(Pod pod) {
    String uid = pod.getMetadata().getUid();
    if (pod.getMetadata().getDeletionTimestamp() != null) {
      deleted(pod);
      return;
    }
    if (workers.containsKey(uid)) {
      return;
    }
    String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
    if ("Succeeded".equals(phase) || "Failed".equals(phase)) {
      return;
    }
    PodFiles files = files(pod);
    String ip = ips.next();
    PodWorker worker = new PodWorker(client, pod, ip, files, images);
    workers.put(uid, worker);
    Thread thread = new Thread(worker, "pod-" + pod.getMetadata().getName());
    thread.setDaemon(true);
    threads.put(uid, thread);
    thread.start();
    LOG.info(
        "pod {}/{} runs on {}", pod.getMetadata().getNamespace(), pod.getMetadata().getName(), ip);
  }

  private void deleted(Pod pod) {
    PodWorker worker = workers.get(pod.getMetadata().getUid());
    if (worker != null) {
      Long grace = pod.getMetadata().getDeletionGracePeriodSeconds();
      if (grace == null) {
        grace = pod.getSpec().getTerminationGracePeriodSeconds();
      }
      worker.delete(Duration.ofSeconds(grace == null ? 30 : grace));
    }
  }

  private PodFiles files(Pod pod) {
    String namespace = pod.getMetadata().getNamespace();
    String name = pod.getMetadata().getName();
    PodFiles shared = namespaceFiles.apply(namespace);
    Path podDirectory =
        workDirectory
            .resolve("pods")
            .resolve(namespace + "_" + name + "_" + pod.getMetadata().getUid());
    Path dataDirectory = workDirectory.resolve("data").resolve(namespace).resolve(name);
    try {
      Files.createDirectories(podDirectory);
      Files.createDirectories(dataDirectory);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new PodFiles(podDirectory, dataDirectory, shared.hostsFile(), shared.kubeconfig());
  }

  private Optional<PodWorker> current(String namespace, String name) {
    return workers.values().stream()
        .filter(w -> w.pod().getMetadata().getNamespace().equals(namespace))
        .filter(w -> w.pod().getMetadata().getName().equals(name))
        .filter(
            w -> {
              Thread t = threads.get(w.pod().getMetadata().getUid());
              return t != null && t.isAlive();
            })
        .reduce((first, second) -> second);
  }

  /** kill -9 of a pod's container process (the first container when null); false if none runs. */
  public boolean kill(String namespace, String pod, String container) {
    return current(namespace, pod).map(w -> w.kill(container)).orElse(false);
  }

  /** The process id of a pod's container, or -1. */
  public long pid(String namespace, String pod, String container) {
    return current(namespace, pod).map(w -> w.pid(container)).orElse(-1L);
  }

  /** The log files of every pod this runner ran, newest last. */
  public List<Path> logs() {
    try (var files = Files.walk(workDirectory.resolve("pods"))) {
      return files.filter(p -> p.toString().endsWith(".log")).sorted().toList();
    } catch (IOException e) {
      return List.of();
    }
  }

  /** The process ids of every running container (for memory figures). */
  public List<Long> pids() {
    return workers.values().stream()
        .flatMap(w -> w.pod().getSpec().getContainers().stream().map(c -> w.pid(c.getName())))
        .filter(pid -> pid > 0)
        .toList();
  }

  /** Ends every pod's containers (SIGTERM, up to {@code grace}, SIGKILL) and waits for them. */
  public void stop(Duration grace) {
    if (informer != null) {
      informer.close();
    }
    workers.values().forEach(w -> w.delete(grace));
    for (Thread thread : threads.values()) {
      try {
        thread.join(grace.plusSeconds(30).toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  @Override
  public void close() {
    stop(Duration.ofSeconds(10));
  }
}
