package io.sibus.k8s;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.sibus.local.LocalApiServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A Kubernetes cluster of one machine, for the end-to-end tests and {@code ./sibus up}: the local
 * API server (kubectl works against {@link #kubeconfig()}), a node that runs pods as local
 * processes ({@link PodRunner}), Service proxies with cluster IPs and names ({@link
 * ServiceController}), and the Deployment and StatefulSet controllers ({@link WorkloadController}).
 * Pods get addresses in 127.20.0.0/16 and Services in 127.30.0.0/16, all loopback.
 */
public final class LocalCluster implements AutoCloseable {
  /** The name of the one node. */
  public static final String NODE = "local";

  private final Path workDirectory;
  private final LocalApiServer api;
  private final KubernetesClient client;
  private final Path kubeconfig;
  private final ServiceController services;
  private final WorkloadController workloads;
  private final PodRunner pods;
  private final Map<String, PodFiles> namespaces = new ConcurrentHashMap<>();
  private final Thread stopOnExit = new Thread(this::stopPods, "local-cluster-stop");

  private LocalCluster(Path workDirectory, LocalImages images) {
    this.workDirectory = workDirectory;
    this.api = LocalApiServer.start(0);
    this.kubeconfig = api.writeKubeconfig(workDirectory.resolve("kubeconfig"));
    this.client = api.client();
    this.services = ServiceController.start(client, new IpAllocator(30));
    this.workloads = WorkloadController.start(client);
    this.pods =
        PodRunner.start(client, workDirectory, images, new IpAllocator(20), this::namespaceFiles);
    // Pods are child processes: should this JVM end without stop() (a test fork killed), they
    // must not outlive it.
    Runtime.getRuntime().addShutdownHook(stopOnExit);
  }

  /**
   * Starts the cluster; its files (pod logs, data of database pods) go under {@code workDirectory}.
   */
  public static LocalCluster start(Path workDirectory, LocalImages images) {
    try {
      Files.createDirectories(workDirectory);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new LocalCluster(workDirectory, images);
  }

  private PodFiles namespaceFiles(String namespace) {
    return namespaces.computeIfAbsent(
        namespace,
        ns -> {
          Path directory = workDirectory.resolve("namespaces").resolve(ns);
          try {
            Files.createDirectories(directory);
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
          Path hosts = directory.resolve("hosts");
          services.registerHostsFile(ns, hosts);
          Path config = api.writeKubeconfig(directory.resolve("kubeconfig"), ns);
          return new PodFiles(directory, directory, hosts, config);
        });
  }

  /** A kubeconfig for kubectl and for clients of this cluster. */
  public Path kubeconfig() {
    return kubeconfig;
  }

  public String apiUrl() {
    return api.url();
  }

  public KubernetesClient client() {
    return client;
  }

  public PodRunner pods() {
    return pods;
  }

  public ServiceController services() {
    return services;
  }

  public Path workDirectory() {
    return workDirectory;
  }

  /**
   * Ends every pod (SIGTERM, then SIGKILL after {@code grace}), then the controllers and the API.
   */
  public void stop(Duration grace) {
    try {
      Runtime.getRuntime().removeShutdownHook(stopOnExit);
    } catch (IllegalStateException shuttingDown) {
      // the hook runs or has run: the pods are being stopped anyway
    }
    pods.stop(grace);
    workloads.close();
    services.close();
    client.close();
    api.close();
  }

  private void stopPods() {
    pods.stop(Duration.ofSeconds(10));
  }

  @Override
  public void close() {
    stop(Duration.ofSeconds(10));
  }
}
