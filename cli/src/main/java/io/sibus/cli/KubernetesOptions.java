package io.sibus.cli;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.sibus.cli.backup.KubernetesBus;
import io.sibus.crds.v1alpha1.Bus;
import io.sibus.crds.v1alpha1.MessagingEngine;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Option;

/** How backup and restore reach a bus on Kubernetes: a kubeconfig and the bus's namespace. */
final class KubernetesOptions {
  @Option(
      names = "--kubeconfig",
      paramLabel = "K",
      description =
          "The cluster's kubeconfig (default: KUBECONFIG, else the one ./sibus up wrote).")
  String kubeconfig;

  @Option(
      names = {"-n", "--namespace"},
      paramLabel = "NS",
      description = "The bus's namespace (default: the namespace of the only bus of that name).")
  String namespace;

  @Option(
      names = "--port-forward",
      description =
          "Reach engines and databases through port-forwards (default: only when their cluster"
              + " IPs do not answer from here).")
  boolean portForward;

  /** The bus on the cluster; fails with what to give when it cannot be found. */
  KubernetesBus bus(String bus, String token) {
    KubernetesClient client = client();
    String ns = namespace != null ? namespace : namespaceOf(client, bus);
    return new KubernetesBus(client, ns, bus, token, portForward);
  }

  /**
   * The bus of the MessagingEngine {@code engine}; fails with what to give when it is not found.
   */
  KubernetesBus busOfEngine(String engine) {
    KubernetesClient client = client();
    List<MessagingEngine> found =
        client.resources(MessagingEngine.class).inAnyNamespace().list().getItems().stream()
            .filter(me -> me.getMetadata().getName().equals(engine))
            .filter(me -> namespace == null || namespace.equals(me.getMetadata().getNamespace()))
            .toList();
    if (found.size() != 1 || found.get(0).getSpec() == null) {
      client.close();
      throw new CommandFailure(
          found.isEmpty()
              ? "no MessagingEngine "
                  + engine
                  + (namespace == null ? " on the cluster" : " in namespace " + namespace)
              : "MessagingEngine " + engine + " is in several namespaces: give --namespace");
    }
    MessagingEngine me = found.get(0);
    return new KubernetesBus(
        client, me.getMetadata().getNamespace(), me.getSpec().getBus(), null, portForward);
  }

  private KubernetesClient client() {
    Path file = BusStatusLines.kubeconfig(kubeconfig);
    Config config;
    try {
      config = Config.fromKubeconfig(Files.readString(file));
      // A cluster that is gone (a stale kubeconfig of ./sibus up) is said at once, not retried.
      config.setRequestRetryBackoffLimit(0);
    } catch (IOException | RuntimeException e) {
      throw new CommandFailure("cannot read the kubeconfig " + file + ": " + e.getMessage());
    }
    return new KubernetesClientBuilder().withConfig(config).build();
  }

  private static String namespaceOf(KubernetesClient client, String bus) {
    List<String> namespaces =
        client.resources(Bus.class).inAnyNamespace().list().getItems().stream()
            .filter(b -> b.getMetadata().getName().equals(bus))
            .map(b -> b.getMetadata().getNamespace())
            .toList();
    if (namespaces.size() != 1) {
      client.close();
      throw new CommandFailure(
          namespaces.isEmpty()
              ? "no bus " + bus + " on the cluster"
              : "bus " + bus + " is in several namespaces " + namespaces + ": give --namespace");
    }
    return namespaces.get(0);
  }
}
