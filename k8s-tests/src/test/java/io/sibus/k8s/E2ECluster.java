package io.sibus.k8s;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.LocalPortForward;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The cluster the end-to-end tests run against: the {@link LocalCluster} of this machine, or the
 * cluster of {@code KUBECONFIG} when it is set (the tests are unchanged; killing a process becomes
 * a forced pod deletion and Services are reached through port forwarding).
 */
final class E2ECluster implements AutoCloseable {
  static final Path HOME =
      Path.of(System.getProperty("sibus.home", "..")).toAbsolutePath().normalize();

  private final LocalCluster local;
  private final KubernetesClient client;
  private final Path kubeconfig;
  private final List<LocalPortForward> forwards = new ArrayList<>();

  private E2ECluster(LocalCluster local, KubernetesClient client, Path kubeconfig) {
    this.local = local;
    this.client = client;
    this.kubeconfig = kubeconfig;
  }

  static E2ECluster start(String name) {
    String external = System.getenv("KUBECONFIG");
    if (external != null && !external.isBlank()) {
      return new E2ECluster(null, new KubernetesClientBuilder().build(), Path.of(external));
    }
    Path work = HOME.resolve("k8s-tests/target/e2e/" + name + "-" + System.currentTimeMillis());
    LocalCluster cluster = LocalCluster.start(work, LocalImages.fromBuild(HOME));
    return new E2ECluster(cluster, cluster.client(), cluster.kubeconfig());
  }

  KubernetesClient client() {
    return client;
  }

  boolean local() {
    return local != null;
  }

  /**
   * {@code kubectl apply -k DIR} with the kubectl on the PATH, as a user would; without kubectl (a
   * fresh machine), the same objects through the client.
   */
  void applyKustomization(Path directory) {
    if (kubectl().isPresent()) {
      run(
          kubectl().get().toString(),
          "--kubeconfig",
          kubeconfig.toString(),
          "apply",
          "--validate=false",
          "-k",
          directory.toString());
    } else {
      for (HasMetadata object : Manifests.apply(client, directory)) {
        System.out.println("applied " + object.getKind() + "/" + object.getMetadata().getName());
      }
    }
  }

  static java.util.Optional<Path> kubectl() {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
      Path candidate = Path.of(dir, "kubectl");
      if (Files.isExecutable(candidate)) {
        return java.util.Optional.of(candidate);
      }
    }
    return java.util.Optional.empty();
  }

  /** Runs a command; its output is printed; fails on a non-zero exit. */
  static String run(String... command) {
    try {
      Path output = Files.createTempFile("e2e-command-", ".out");
      Process p =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(output.toFile())
              .start();
      boolean ended = p.waitFor(120, TimeUnit.SECONDS);
      if (!ended) {
        p.destroyForcibly();
      }
      String out = Files.readString(output, StandardCharsets.UTF_8);
      Files.deleteIfExists(output);
      if (!ended || p.exitValue() != 0) {
        throw new IllegalStateException(
            String.join(" ", command) + (ended ? " failed:\n" : " did not end in 120 s:\n") + out);
      }
      System.out.print(out);
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** The URL of a Service's first port, as a client of the cluster reaches it. */
  String serviceUrl(String namespace, String name) {
    return "http://" + serviceAddress(namespace, name);
  }

  /** {@code host:port} of a Service's first port, as a client of the cluster reaches it. */
  String serviceAddress(String namespace, String name) {
    Service service = client.services().inNamespace(namespace).withName(name).get();
    int port = service.getSpec().getPorts().get(0).getPort();
    if (local != null) {
      return service.getSpec().getClusterIP() + ":" + port;
    }
    LocalPortForward forward =
        client.services().inNamespace(namespace).withName(name).portForward(port);
    forwards.add(forward);
    return "127.0.0.1:" + forward.getLocalPort();
  }

  /** kill -9 of a pod's main process; on a real cluster, a forced deletion of the pod. */
  void kill(String namespace, String pod) {
    if (local != null) {
      if (!local.pods().kill(namespace, pod, null)) {
        throw new IllegalStateException("no running process in pod " + pod);
      }
    } else {
      client.pods().inNamespace(namespace).withName(pod).withGracePeriod(0).delete();
    }
  }

  /** kill -9 of a pod's process, and the pod deleted before it can restart: a lost node. */
  void killPod(String namespace, String pod) {
    if (local != null) {
      kill(namespace, pod);
    }
    client.pods().inNamespace(namespace).withName(pod).withGracePeriod(0).delete();
  }

  /** What a failed test prints: every pod's status and log, and the events. */
  String diagnostics(String... namespaces) {
    StringBuilder out = new StringBuilder();
    for (String ns : namespaces) {
      for (Pod pod : client.pods().inNamespace(ns).list().getItems()) {
        out.append("--- pod ")
            .append(ns)
            .append('/')
            .append(pod.getMetadata().getName())
            .append(" labels=")
            .append(pod.getMetadata().getLabels())
            .append(" status=")
            .append(pod.getStatus())
            .append('\n');
      }
      client
          .genericKubernetesResources("sibus.io/v1alpha1", "MessagingEngine")
          .inNamespace(ns)
          .list()
          .getItems()
          .forEach(
              me ->
                  out.append("--- engine ")
                      .append(me.getMetadata().getName())
                      .append(' ')
                      .append(me.getAdditionalProperties().get("status"))
                      .append('\n'));
      client
          .v1()
          .events()
          .inNamespace(ns)
          .list()
          .getItems()
          .forEach(
              e ->
                  out.append("event ")
                      .append(e.getInvolvedObject().getName())
                      .append(' ')
                      .append(e.getReason())
                      .append(": ")
                      .append(e.getMessage())
                      .append('\n'));
    }
    if (local != null) {
      for (Path log : local.pods().logs()) {
        try {
          List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
          out.append("--- log ")
              .append(log.getParent().getFileName())
              .append('/')
              .append(log.getFileName())
              .append('\n');
          lines
              .subList(Math.max(0, lines.size() - 60), lines.size())
              .forEach(l -> out.append(l).append('\n'));
        } catch (IOException e) {
          out.append("(unreadable ").append(log).append(")\n");
        }
      }
    }
    return out.toString();
  }

  LocalCluster localCluster() {
    return local;
  }

  @Override
  public void close() {
    forwards.forEach(
        f -> {
          try {
            f.close();
          } catch (IOException ignored) {
            // closing anyway
          }
        });
    if (local != null) {
      local.stop(Duration.ofSeconds(10));
    } else {
      client.close();
    }
  }
}
