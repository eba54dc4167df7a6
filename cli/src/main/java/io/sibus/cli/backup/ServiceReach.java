package io.sibus.cli.backup;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.LocalPortForward;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Reaches a Service of the cluster from the machine the command runs on: at its cluster IP when
 * that answers (inside the cluster, or the local cluster of {@code sibus up}), else through a
 * port-forward to a pod of the Service, as {@code kubectl port-forward} does, so a backup or a
 * restore also runs from a laptop against a remote cluster. Forwards live until {@link #close()}.
 */
final class ServiceReach implements AutoCloseable {
  private static final int CONNECT_TIMEOUT_MS = 1000;

  /** How a Service is reached from here. */
  enum Mode {
    /** The cluster IP when it answers, else a port-forward. */
    AUTO,
    /** Always a port-forward. */
    FORWARD
  }

  private final KubernetesClient client;
  private final Mode mode;
  private final Map<String, String> addresses = new HashMap<>();
  private final List<LocalPortForward> forwards = new ArrayList<>();

  ServiceReach(KubernetesClient client, Mode mode) {
    this.client = client;
    this.mode = mode;
  }

  /** {@code host:port} on which this machine reaches port {@code port} of the Service. */
  synchronized String address(String namespace, String name, int port) throws IOException {
    String key = namespace + "/" + name + ":" + port;
    String known = addresses.get(key);
    if (known != null) {
      return known;
    }
    Service service = client.services().inNamespace(namespace).withName(name).get();
    if (service == null) {
      throw new IOException("no Service " + name + " in namespace " + namespace);
    }
    String clusterIp = service.getSpec().getClusterIP();
    String address;
    if (mode == Mode.AUTO && clusterIp != null && answers(clusterIp, port)) {
      address = clusterIp + ":" + port;
    } else {
      address = forward(service, port);
    }
    addresses.put(key, address);
    return address;
  }

  /**
   * A port-forward to a running, ready pod of the Service. A Service without a selector (an
   * external database behind hand-made Endpoints) has no pod to forward to: refused, or the forward
   * would reach whatever pod the namespace lists first.
   */
  private String forward(Service service, int port) throws IOException {
    String name = service.getMetadata().getName();
    String namespace = service.getMetadata().getNamespace();
    Map<String, String> selector = service.getSpec().getSelector();
    if (selector == null || selector.isEmpty()) {
      throw new IOException(
          "cannot reach Service "
              + name
              + ": its cluster IP does not answer here and it has no pods to port-forward to (no"
              + " selector); run the command inside the cluster");
    }
    Pod pod =
        client.pods().inNamespace(namespace).withLabels(selector).list().getItems().stream()
            .filter(ServiceReach::readyAndRunning)
            .findFirst()
            .orElseThrow(
                () ->
                    new IOException(
                        "cannot reach Service "
                            + name
                            + ": its cluster IP does not answer here and none of its pods is"
                            + " ready to port-forward to"));
    try {
      LocalPortForward forward =
          client
              .pods()
              .inNamespace(namespace)
              .withName(pod.getMetadata().getName())
              .portForward(targetPort(service, port));
      forwards.add(forward);
      return "127.0.0.1:" + forward.getLocalPort();
    } catch (RuntimeException e) {
      throw new IOException(
          "cannot reach Service "
              + name
              + " (its cluster IP does not answer here and a port-forward to pod "
              + pod.getMetadata().getName()
              + " failed: "
              + e.getMessage()
              + "); run the command inside the cluster or check that you may port-forward",
          e);
    }
  }

  private static boolean readyAndRunning(Pod pod) {
    return pod.getStatus() != null
        && "Running".equals(pod.getStatus().getPhase())
        && pod.getStatus().getConditions().stream()
            .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
  }

  /** A port-forward goes to the pod: the Service's target port, not its own. */
  static int targetPort(Service service, int port) {
    for (ServicePort p : service.getSpec().getPorts()) {
      IntOrString target = p.getTargetPort();
      if (p.getPort() != null && p.getPort() == port && target != null) {
        if (target.getIntVal() != null) {
          return target.getIntVal();
        }
      }
    }
    return port;
  }

  private static boolean answers(String host, int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(host, port), CONNECT_TIMEOUT_MS);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  @Override
  public synchronized void close() {
    for (LocalPortForward forward : forwards) {
      try {
        forward.close();
      } catch (IOException ignored) {
        // the forward ends with the command anyway
      }
    }
    forwards.clear();
  }

  /**
   * The JDBC URL with a Service's host name replaced by an address this machine reaches (its
   * cluster IP, or a port-forward): a name such as {@code postgres} resolves only inside the
   * cluster. A host without a namespace is a Service of {@code namespace}.
   */
  String jdbcUrl(String jdbcUrl, String namespace) throws IOException {
    String prefix = "jdbc:postgresql://";
    if (!jdbcUrl.startsWith(prefix)) {
      return jdbcUrl;
    }
    URI uri = URI.create("postgresql://" + jdbcUrl.substring(prefix.length()));
    String host = uri.getHost();
    if (host == null) {
      return jdbcUrl;
    }
    String[] parts = host.split("\\.");
    String serviceNamespace = parts.length > 1 ? parts[1] : namespace;
    Service service = client.services().inNamespace(serviceNamespace).withName(parts[0]).get();
    if (service == null || service.getSpec().getClusterIP() == null) {
      return jdbcUrl; // not a Service: a database outside the cluster
    }
    int port = uri.getPort() > 0 ? uri.getPort() : 5432;
    String hostPort = uri.getPort() > 0 ? host + ":" + uri.getPort() : host;
    return jdbcUrl.replaceFirst(
        Pattern.quote(prefix + hostPort), prefix + address(serviceNamespace, parts[0], port));
  }
}
