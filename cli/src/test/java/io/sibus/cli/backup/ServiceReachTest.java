package io.sibus.cli.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.sibus.local.LocalApiServer;
import java.io.IOException;
import java.net.ServerSocket;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** How a backup or a restore reaches a Service: its cluster IP when it answers, else a pod. */
class ServiceReachTest {
  static LocalApiServer api;
  static KubernetesClient client;

  @BeforeAll
  static void start() {
    api = LocalApiServer.start(0);
    client = api.client();
  }

  @AfterAll
  static void stop() {
    api.close();
  }

  @Test
  void aClusterIpThatAnswersIsUsedAsItIs() throws IOException {
    try (ServerSocket listening =
            new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress());
        ServiceReach reach = new ServiceReach(client, ServiceReach.Mode.AUTO)) {
      create(service("db", "127.0.0.1", listening.getLocalPort(), Map.of("app", "db")));
      assertThat(reach.address("default", "db", listening.getLocalPort()))
          .isEqualTo("127.0.0.1:" + listening.getLocalPort());
    }
  }

  @Test
  void aServiceWithoutPodsToForwardToIsAClearError() throws IOException {
    int closedPort;
    try (ServerSocket s = new ServerSocket(0)) {
      closedPort = s.getLocalPort(); // nobody listens once closed
    }
    create(service("external", "127.0.0.1", closedPort, null));
    create(service("nopods", "127.0.0.1", closedPort, Map.of("app", "none")));
    try (ServiceReach reach = new ServiceReach(client, ServiceReach.Mode.AUTO)) {
      assertThatThrownBy(() -> reach.address("default", "external", closedPort))
          .isInstanceOf(IOException.class)
          .hasMessageContaining("no selector");
      assertThatThrownBy(() -> reach.address("default", "nopods", closedPort))
          .isInstanceOf(IOException.class)
          .hasMessageContaining("none of its pods is ready");
      assertThatThrownBy(() -> reach.address("default", "missing", closedPort))
          .isInstanceOf(IOException.class)
          .hasMessageContaining("no Service missing");
    }
  }

  @Test
  void aJdbcUrlNamingAServiceGetsItsReachableAddressAndOthersAreLeftAsTheyAre() throws IOException {
    try (ServerSocket listening =
            new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress());
        ServiceReach reach = new ServiceReach(client, ServiceReach.Mode.AUTO)) {
      int port = listening.getLocalPort();
      create(service("pg", "127.0.0.1", port, Map.of("app", "pg")));
      assertThat(reach.jdbcUrl("jdbc:postgresql://pg:" + port + "/sibus?ssl=false", "default"))
          .isEqualTo("jdbc:postgresql://127.0.0.1:" + port + "/sibus?ssl=false");
      assertThat(reach.jdbcUrl("jdbc:postgresql://pg.default:" + port + "/sibus", "elsewhere"))
          .isEqualTo("jdbc:postgresql://127.0.0.1:" + port + "/sibus");
      assertThat(reach.jdbcUrl("jdbc:postgresql://db.example.com:5432/sibus", "default"))
          .isEqualTo("jdbc:postgresql://db.example.com:5432/sibus");
      assertThat(reach.jdbcUrl("jdbc:postgresql:sibus", "default"))
          .isEqualTo("jdbc:postgresql:sibus");
      assertThat(reach.jdbcUrl("jdbc:postgresql:///sibus", "default"))
          .isEqualTo("jdbc:postgresql:///sibus"); // no host: the driver's default
      assertThat(reach.jdbcUrl("jdbc:postgresql://pg,pg2/sibus", "default"))
          .isEqualTo("jdbc:postgresql://pg,pg2/sibus"); // several hosts: left to the driver
    }
  }

  @Test
  void aForwardGoesToTheTargetPort() {
    Service service = service("engine", "10.0.0.1", 80, Map.of("app", "engine"));
    service
        .getSpec()
        .getPorts()
        .get(0)
        .setTargetPort(new io.fabric8.kubernetes.api.model.IntOrString(8080));
    assertThat(ServiceReach.targetPort(service, 80)).isEqualTo(8080);
    assertThat(ServiceReach.targetPort(service, 9999)).isEqualTo(9999);
  }

  private static void create(Service service) {
    client.resource(service).inNamespace("default").createOr(existing -> existing.update());
  }

  private static Service service(String name, String ip, int port, Map<String, String> selector) {
    return new ServiceBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace("default")
        .endMetadata()
        .withNewSpec()
        .withClusterIP(ip)
        .withSelector(selector)
        .addNewPort()
        .withPort(port)
        .endPort()
        .endSpec()
        .build();
  }
}
