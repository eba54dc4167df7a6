package io.sibus.k8s;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Probe;
import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;

/** One check of a probe against a container on its pod IP, as a kubelet makes it. */
final class ProbeCheck {
  private ProbeCheck() {}

  /** True when the probe passes: HTTP 200–399, a TCP connection, or (not run here) exec. */
  static boolean passes(Probe probe, Container container, String podIp) {
    if (probe.getHttpGet() != null && port(probe.getHttpGet().getPort(), container) < 0
        || probe.getTcpSocket() != null && port(probe.getTcpSocket().getPort(), container) < 0) {
      return false;
    }
    Duration timeout = Duration.ofSeconds(value(probe.getTimeoutSeconds(), 1));
    if (probe.getHttpGet() != null) {
      int port = port(probe.getHttpGet().getPort(), container);
      String path = probe.getHttpGet().getPath() == null ? "/" : probe.getHttpGet().getPath();
      return httpGet(URI.create("http://" + podIp + ":" + port + path), timeout);
    }
    if (probe.getTcpSocket() != null) {
      int port = port(probe.getTcpSocket().getPort(), container);
      try (Socket socket = new Socket()) {
        socket.connect(new InetSocketAddress(podIp, port), (int) timeout.toMillis());
        return true;
      } catch (IOException e) {
        return false;
      }
    }
    // exec probes need a shell in an image; none of the images run here declares one.
    return true;
  }

  static int value(Integer value, int orElse) {
    return value == null ? orElse : value;
  }

  private static boolean httpGet(URI uri, Duration timeout) {
    try {
      HttpURLConnection connection = (HttpURLConnection) uri.toURL().openConnection();
      connection.setConnectTimeout((int) timeout.toMillis());
      connection.setReadTimeout((int) timeout.toMillis());
      try {
        int status = connection.getResponseCode();
        return status >= 200 && status < 400;
      } finally {
        connection.disconnect();
      }
    } catch (IOException e) {
      return false;
    }
  }

  private static int port(IntOrString port, Container container) {
    if (port.getIntVal() != null) {
      return port.getIntVal();
    }
    if (container.getPorts() != null) {
      for (ContainerPort p : container.getPorts()) {
        if (port.getStrVal().equals(p.getName())) {
          return p.getContainerPort();
        }
      }
    }
    // No such port: the probe cannot pass (a kubelet reports the same as a failure).
    return -1;
  }
}
