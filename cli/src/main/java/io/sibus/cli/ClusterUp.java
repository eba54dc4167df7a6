package io.sibus.cli;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.sibus.crds.v1alpha1.MessagingEngine;
import io.sibus.k8s.LocalCluster;
import io.sibus.k8s.LocalImages;
import io.sibus.k8s.Manifests;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * {@code sibus up} on the local cluster: the local Kubernetes API (kubeconfig written), the pod
 * runner, Service proxies, two operator replicas installed from deploy/base and the sample bus from
 * deploy/samples (PostgreSQL included, as a pod), exactly as on a cluster.
 */
final class ClusterUp {
  static final String NAMESPACE = "sibus-demo";
  static final String SYSTEM = "sibus-system";
  private static final Duration POLL = Duration.ofMillis(250);

  private final Path home;
  private final Path work;
  private final PrintWriter out;
  private LocalCluster cluster;
  private volatile boolean stopped;

  ClusterUp(Path home, Path work, PrintWriter out) {
    this.home = home;
    this.work = work;
    this.out = out;
  }

  /** The kubeconfig {@code sibus up} writes, where {@code sibus status} looks for it. */
  static Path kubeconfig(Path work) {
    return work.resolve("cluster").resolve("kubeconfig");
  }

  /** Fails with the build command when the engine or operator jar is missing. */
  static void requireJars(Path home) {
    for (Path jar : List.of(LocalImages.engineJar(home), LocalImages.operatorJar(home))) {
      if (!Files.isRegularFile(jar)) {
        throw new CommandFailure(
            "the jar "
                + jar
                + " is missing: build it with 'cd "
                + home
                + " && ./mvnw -q -B -DskipTests -pl engine-service,operator,cli -am package'"
                + " (./sibus up does this itself when a jar is missing)");
      }
    }
  }

  void start(Duration timeout) {
    Path clusterWork = work.resolve("cluster");
    LeftoverPods.stopAll(clusterWork);
    deleteRecursively(clusterWork);
    long begin = System.nanoTime();
    cluster = LocalCluster.start(clusterWork, LocalImages.fromBuild(home));
    KubernetesClient client = cluster.client();
    out.println("local Kubernetes API on " + cluster.apiUrl());
    out.println("kubeconfig: " + cluster.kubeconfig());
    out.flush();
    Manifests.apply(client, home.resolve("deploy/base"));
    out.println("installed sibus from deploy/base; waiting for the two operator replicas");
    out.flush();
    await(timeout, "the operator replicas to be ready", () -> operatorsReady(client) >= 2);
    long applied = System.nanoTime();
    List<String> engines =
        Manifests.apply(client, home.resolve("deploy/samples")).stream()
            .filter(o -> o.getKind().equals("MessagingEngine"))
            .map(o -> o.getMetadata().getName())
            .toList();
    out.println("applied deploy/samples: bus demo, engines " + engines + ", PostgreSQL as a pod");
    out.flush();
    for (String engine : engines) {
      await(timeout, "engine " + engine + " to be Ready", () -> ready(client, engine));
    }
    out.printf(
        "%nbus demo is running: samples applied to every engine Ready in %.1f s (%.1f s from start)%n",
        seconds(applied), seconds(begin));
    for (String engine : engines) {
      out.println("engine " + engine + ": " + serviceUrl(client, engine));
    }
    out.printf(
        "memory: %d MiB resident for the whole system%n", ProcessMemory.residentMiB(clusterWork));
    String me1 = serviceUrl(client, engines.get(0));
    out.println();
    out.println("Try:");
    out.println("  kubectl --kubeconfig " + cluster.kubeconfig() + " get me -n " + NAMESPACE);
    out.println("  ./sibus send --url " + me1 + " --destination orders --body hello");
    out.println("  ./sibus receive --url " + me1 + " --destination orders");
    out.println("and ./sibus status for the bus. Pod logs are in " + clusterWork.resolve("pods"));
    out.println("Press Ctrl-C to stop everything.");
    out.flush();
  }

  /** Waits until stopped (Ctrl-C or SIGTERM). */
  void watch() {
    while (!stopped) {
      try {
        Thread.sleep(500);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /** Stops every pod (SIGTERM, SIGKILL after 10 s), then the controllers and the API server. */
  synchronized void stop() {
    stopped = true;
    if (cluster != null) {
      cluster.stop(Duration.ofSeconds(10));
      cluster = null;
    }
  }

  private static String serviceUrl(KubernetesClient client, String engine) {
    Service service = client.services().inNamespace(NAMESPACE).withName(engine).get();
    if (service == null || service.getSpec().getClusterIP() == null) {
      return "(no Service yet)";
    }
    return "http://"
        + service.getSpec().getClusterIP()
        + ":"
        + service.getSpec().getPorts().get(0).getPort();
  }

  private static int operatorsReady(KubernetesClient client) {
    Deployment d = client.apps().deployments().inNamespace(SYSTEM).withName("sibus-operator").get();
    return d == null || d.getStatus() == null || d.getStatus().getReadyReplicas() == null
        ? 0
        : d.getStatus().getReadyReplicas();
  }

  private static boolean ready(KubernetesClient client, String engine) {
    MessagingEngine me =
        client.resources(MessagingEngine.class).inNamespace(NAMESPACE).withName(engine).get();
    if (me == null || me.getStatus() == null) {
      return false;
    }
    for (Condition c : me.getStatus().getConditions()) {
      if (c.getType().equals("Ready") && c.getStatus().equals("True")) {
        return true;
      }
    }
    return false;
  }

  private void await(Duration timeout, String what, java.util.function.BooleanSupplier done) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!done.getAsBoolean()) {
      if (stopped) {
        throw new CommandFailure("stopped while waiting for " + what);
      }
      if (System.nanoTime() > deadline) {
        throw new CommandFailure(
            "timed out after "
                + timeout.toSeconds()
                + " s waiting for "
                + what
                + "; see the pod logs in "
                + work.resolve("cluster").resolve("pods"));
      }
      try {
        Thread.sleep(POLL.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new CommandFailure("interrupted while waiting for " + what);
      }
    }
  }

  private static double seconds(long since) {
    return (System.nanoTime() - since) / 1e9;
  }

  private static void deleteRecursively(Path directory) {
    if (!Files.exists(directory)) {
      return;
    }
    try (var paths = Files.walk(directory)) {
      paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
