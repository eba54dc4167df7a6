package io.sibus.cli;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.sibus.crds.v1alpha1.Bus;
import io.sibus.crds.v1alpha1.MemberStatus;
import io.sibus.crds.v1alpha1.MessagingEngine;
import io.sibus.crds.v1alpha1.MessagingEngineStatus;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * {@code sibus status} on Kubernetes: every bus (or one), its engines with phase, active member,
 * members ready and conditions, and each member's state, as the operator reports them.
 */
final class BusStatusLines {
  private BusStatusLines() {}

  /** The kubeconfig to use: the one given, else KUBECONFIG, else the one {@code sibus up} wrote. */
  static Path kubeconfig(String given) {
    if (given != null) {
      return Path.of(given);
    }
    String env = System.getenv("KUBECONFIG");
    if (env != null && !env.isBlank()) {
      return Path.of(env.split(":")[0]);
    }
    Path up = ClusterUp.kubeconfig(Path.of(".sibus", "up").toAbsolutePath());
    if (Files.isRegularFile(up)) {
      return up;
    }
    throw new CommandFailure(
        "no cluster to ask: give --kubeconfig, set KUBECONFIG, run ./sibus up, or give --url");
  }

  static List<String> lines(Path kubeconfig, String busName) {
    Config config;
    try {
      config = Config.fromKubeconfig(Files.readString(kubeconfig));
      // A cluster that is gone (a stale kubeconfig of ./sibus up) is said at once, not retried.
      config.setRequestRetryBackoffLimit(0);
    } catch (IOException | RuntimeException e) {
      throw new CommandFailure("cannot read the kubeconfig " + kubeconfig + ": " + e.getMessage());
    }
    try (KubernetesClient client = new KubernetesClientBuilder().withConfig(config).build()) {
      List<String> lines = new ArrayList<>();
      List<Bus> buses = client.resources(Bus.class).inAnyNamespace().list().getItems();
      List<MessagingEngine> engines =
          client.resources(MessagingEngine.class).inAnyNamespace().list().getItems();
      for (Bus bus : buses) {
        String name = bus.getMetadata().getName();
        if (busName != null && !busName.equals(name)) {
          continue;
        }
        String ns = bus.getMetadata().getNamespace();
        lines.add(
            "bus "
                + name
                + " namespace="
                + ns
                + " phase="
                + (bus.getStatus() == null ? "-" : bus.getStatus().getPhase())
                + " enginesReady="
                + (bus.getStatus() == null ? "-" : bus.getStatus().getEnginesReady()));
        engines.stream()
            .filter(me -> ns.equals(me.getMetadata().getNamespace()))
            .filter(me -> name.equals(me.getSpec().getBus()))
            .forEach(me -> engineLines(me, lines));
      }
      if (lines.isEmpty()) {
        throw new CommandFailure(
            busName == null
                ? "no bus on the cluster"
                : "no bus named " + busName + " on the cluster");
      }
      return lines;
    } catch (KubernetesClientException e) {
      throw new CommandFailure(
          "the cluster of " + kubeconfig + " did not answer: " + e.getMessage());
    }
  }

  private static void engineLines(MessagingEngine me, List<String> lines) {
    MessagingEngineStatus s = me.getStatus() == null ? new MessagingEngineStatus() : me.getStatus();
    lines.add(
        "  engine "
            + me.getMetadata().getName()
            + " phase="
            + dash(s.getPhase())
            + " active="
            + dash(s.getActiveMember())
            + " membersReady="
            + dash(s.getMembersReady())
            + " "
            + s.getConditions().stream()
                .map(BusStatusLines::condition)
                .collect(Collectors.joining(" ")));
    for (MemberStatus m : s.getMembers()) {
      lines.add(
          "    member "
              + m.getName()
              + " state="
              + dash(m.getState())
              + " ready="
              + m.getReady()
              + " restarts="
              + m.getRestarts()
              + (m.getLastError() == null ? "" : " lastError=" + m.getLastError()));
    }
  }

  private static String condition(Condition c) {
    return c.getType()
        + "="
        + c.getStatus()
        + (c.getReason() == null ? "" : "(" + c.getReason() + ")");
  }

  private static String dash(String value) {
    return value == null ? "-" : value;
  }
}
