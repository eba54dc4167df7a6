package io.sibus.k8s;

import static io.sibus.k8s.LineEchoServer.ask;
import static io.sibus.k8s.LineEchoServer.isBroken;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Endpoints;
import io.fabric8.kubernetes.api.model.EndpointsBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.sibus.local.LocalApiServer;
import java.net.ConnectException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Service controller on the local API server. The test plays the pod runner: it writes pod
 * addresses and readiness, and listens on the pod addresses with echo servers.
 */
class ServiceControllerIT {
  private static final String NS = "shop";

  /** Not 80: a port below 1024 needs root. */
  private static final int SERVICE_PORT = 8000;

  private final List<AutoCloseable> resources = new ArrayList<>();
  private LocalApiServer api;
  private KubernetesClient client;
  private ServiceController controller;

  @BeforeEach
  void start() {
    api = LocalApiServer.start(0);
    client = api.client();
    controller = ServiceController.start(client, new IpAllocator(231));
  }

  @AfterEach
  void stop() throws Exception {
    controller.close();
    for (AutoCloseable resource : resources) {
      resource.close();
    }
    client.close();
    api.close();
  }

  @Test
  void forwardsToReadyPodsAndCutsAPodThatIsNoLongerReady() throws Exception {
    runPod("web-1", "127.221.0.1", true);
    createService("web", Map.of("app", "web"), new IntOrString("http"));

    String ip = await().until(() -> controller.clusterIp(NS, "web").orElse(null), i -> i != null);
    assertThat(ip).startsWith("127.231.");
    Service stored = client.services().inNamespace(NS).withName("web").get();
    assertThat(stored.getSpec().getClusterIP()).isEqualTo(ip);
    assertThat(stored.getSpec().getClusterIPs()).containsExactly(ip);
    Socket connection = connect(ip, SERVICE_PORT);
    assertThat(ask(connection, "hello")).isEqualTo("web-1:hello");
    Endpoints endpoints = client.endpoints().inNamespace(NS).withName("web").get();
    assertThat(endpoints.getSubsets()).hasSize(1);
    assertThat(endpoints.getSubsets().get(0).getAddresses())
        .singleElement()
        .satisfies(a -> assertThat(a.getIp()).isEqualTo("127.221.0.1"));
    assertThat(endpoints.getSubsets().get(0).getPorts().get(0).getPort()).isEqualTo(8080);

    setStatus("web-1", "127.221.0.1", false);

    assertThat(isBroken(connection)).isTrue();
    assertThat(isBroken(connect(ip, SERVICE_PORT))).isTrue();
    await()
        .untilAsserted(
            () ->
                assertThat(client.endpoints().inNamespace(NS).withName("web").get().getSubsets())
                    .singleElement()
                    .satisfies(s -> assertThat(s.getAddresses()).isEmpty())
                    .satisfies(s -> assertThat(s.getNotReadyAddresses()).hasSize(1)));
  }

  @Test
  void balancesOverPodsAndCutsADeletedPodOnly() throws Exception {
    runPod("web-1", "127.221.0.1", true);
    runPod("web-2", "127.221.0.2", true);
    runPod("other", "127.221.0.3", true, Map.of("app", "other"));
    createService("web", Map.of("app", "web"), new IntOrString(8080));
    String ip = await().until(() -> controller.clusterIp(NS, "web").orElse(null), i -> i != null);
    await().until(() -> endpointIps("web").size() == 2);

    Socket first = connect(ip, SERVICE_PORT);
    Socket second = connect(ip, SERVICE_PORT);
    List<String> answers = List.of(ask(first, "a"), ask(second, "b"));
    assertThat(answers).containsExactlyInAnyOrder("web-1:a", "web-2:b");
    Socket toWeb1 = answers.get(0).startsWith("web-1") ? first : second;
    Socket toWeb2 = toWeb1 == first ? second : first;

    client.pods().inNamespace(NS).withName("web-1").delete();

    assertThat(isBroken(toWeb1)).isTrue();
    assertThat(ask(toWeb2, "still")).isEqualTo("web-2:still");
    for (int i = 0; i < 3; i++) {
      assertThat(ask(connect(ip, SERVICE_PORT), "next")).isEqualTo("web-2:next");
    }
  }

  @Test
  void aServiceWithoutSelectorForwardsToItsEndpoints() throws Exception {
    resources.add(LineEchoServer.start("external", "127.221.0.9", 15432));
    createService("db", null, null);
    client
        .endpoints()
        .inNamespace(NS)
        .resource(
            new EndpointsBuilder()
                .withNewMetadata()
                .withName("db")
                .endMetadata()
                .addNewSubset()
                .addNewAddress()
                .withIp("127.221.0.9")
                .endAddress()
                .addNewPort()
                .withPort(15432)
                .endPort()
                .endSubset()
                .build())
        .create();

    String ip = await().until(() -> controller.clusterIp(NS, "db").orElse(null), i -> i != null);
    await()
        .untilAsserted(
            () ->
                assertThat(ask(connect(ip, SERVICE_PORT), "select")).isEqualTo("external:select"));
    // Endpoints written by someone else are left alone.
    Thread.sleep(1_500);
    assertThat(endpointIps("db")).containsExactly("127.221.0.9");
  }

  @Test
  void endpointsAreNotRewrittenWhileNothingChanges() throws Exception {
    runPod("web-1", "127.221.0.1", true);
    createService("web", Map.of("app", "web"), new IntOrString(8080));
    await().until(() -> endpointIps("web").size() == 1);
    Resource<Endpoints> endpoints = client.endpoints().inNamespace(NS).withName("web");
    Resource<Service> service = client.services().inNamespace(NS).withName("web");
    String version = endpoints.get().getMetadata().getResourceVersion();
    String serviceVersion = service.get().getMetadata().getResourceVersion();

    Thread.sleep(2_500); // two periodic reconciles and more

    assertThat(endpoints.get().getMetadata().getResourceVersion()).isEqualTo(version);
    assertThat(service.get().getMetadata().getResourceVersion()).isEqualTo(serviceVersion);
  }

  @Test
  void hostsNameEveryServiceAndFollowChanges(@TempDir Path directory) throws Exception {
    createService("web", Map.of("app", "web"), null);
    createServiceIn("billing", "ledger", Map.of("app", "ledger"));
    String web = await().until(() -> controller.clusterIp(NS, "web").orElse(null), i -> i != null);
    String ledger =
        await().until(() -> controller.clusterIp("billing", "ledger").orElse(null), i -> i != null);
    assertThat(web).isNotEqualTo(ledger);

    assertThat(controller.hostsFor(NS))
        .containsOnly(
            Map.entry("web", web),
            Map.entry("web.shop", web),
            Map.entry("web.shop.svc", web),
            Map.entry("web.shop.svc.cluster.local", web),
            Map.entry("ledger.billing", ledger),
            Map.entry("ledger.billing.svc", ledger),
            Map.entry("ledger.billing.svc.cluster.local", ledger));
    assertThat(controller.hostsFor("billing"))
        .containsEntry("ledger", ledger)
        .doesNotContainKey("web");

    Path hosts = directory.resolve("shop-hosts");
    controller.registerHostsFile(NS, hosts);
    assertThat(Files.readAllLines(hosts))
        .contains("127.0.0.1 localhost", web + " web", web + " web.shop.svc.cluster.local")
        .contains(ledger + " ledger.billing")
        .doesNotContain(ledger + " ledger");
    assertThat(resolveInJvm(hosts, "web.shop.svc.cluster.local", "localhost"))
        .containsExactly(web, "127.0.0.1");

    createService("cart", Map.of("app", "cart"), null);
    client.services().inNamespace(NS).withName("web").delete();

    await()
        .untilAsserted(
            () -> assertThat(Files.readString(hosts)).contains(" cart\n").doesNotContain(" web"));
    assertThat(controller.clusterIp(NS, "web")).isEmpty();
    assertThatThrownBy(() -> new Socket(web, SERVICE_PORT).close())
        .isInstanceOf(ConnectException.class);
  }

  /** Resolves {@code names} in a JVM that uses {@code hostsFile} as its only name service. */
  private static List<String> resolveInJvm(Path hostsFile, String... names) throws Exception {
    Path program = hostsFile.resolveSibling("Resolve.java");
    Files.writeString(
        program,
        """
        public class Resolve {
          public static void main(String[] names) throws Exception {
            for (String name : names) {
              System.out.println(java.net.InetAddress.getByName(name).getHostAddress());
            }
          }
        }
        """);
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Djdk.net.hosts.file=" + hostsFile);
    command.add(program.toString());
    command.addAll(List.of(names));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes());
    assertThat(process.waitFor()).as(output).isZero();
    return output.lines().toList();
  }

  private List<String> endpointIps(String service) {
    Endpoints endpoints = client.endpoints().inNamespace(NS).withName(service).get();
    List<String> ips = new ArrayList<>();
    if (endpoints != null) {
      endpoints.getSubsets().forEach(s -> s.getAddresses().forEach(a -> ips.add(a.getIp())));
    }
    return ips;
  }

  private void runPod(String name, String ip, boolean ready) {
    runPod(name, ip, ready, Map.of("app", "web"));
  }

  /**
   * Creates a pod with a container port "http" 8080, and serves it on {@code ip}, as a pod would.
   */
  private void runPod(String name, String ip, boolean ready, Map<String, String> labels) {
    resources.add(LineEchoServer.start(name, ip, 8080));
    client
        .pods()
        .inNamespace(NS)
        .resource(
            new PodBuilder()
                .withNewMetadata()
                .withName(name)
                .withLabels(labels)
                .endMetadata()
                .withNewSpec()
                .addNewContainer()
                .withName("app")
                .withImage("app")
                .addNewPort()
                .withName("http")
                .withContainerPort(8080)
                .endPort()
                .endContainer()
                .endSpec()
                .build())
        .create();
    setStatus(name, ip, ready);
  }

  private void setStatus(String name, String ip, boolean ready) {
    Pod pod = client.pods().inNamespace(NS).withName(name).get();
    pod.setStatus(
        new PodStatusBuilder()
            .withPhase("Running")
            .withPodIP(ip)
            .addNewCondition()
            .withType("Ready")
            .withStatus(ready ? "True" : "False")
            .endCondition()
            .build());
    client.pods().resource(pod).updateStatus();
  }

  private void createService(String name, Map<String, String> selector, IntOrString targetPort) {
    client
        .services()
        .inNamespace(NS)
        .resource(
            new ServiceBuilder()
                .withNewMetadata()
                .withName(name)
                .endMetadata()
                .withNewSpec()
                .withSelector(selector)
                .addNewPort()
                .withPort(SERVICE_PORT)
                .withTargetPort(targetPort)
                .endPort()
                .endSpec()
                .build())
        .create();
  }

  private void createServiceIn(String namespace, String name, Map<String, String> selector) {
    client
        .services()
        .inNamespace(namespace)
        .resource(
            new ServiceBuilder()
                .withNewMetadata()
                .withName(name)
                .endMetadata()
                .withNewSpec()
                .withSelector(selector)
                .addNewPort()
                .withPort(SERVICE_PORT)
                .endPort()
                .endSpec()
                .build())
        .create();
  }

  private Socket connect(String ip, int port) throws Exception {
    Socket socket = new Socket(ip, port);
    resources.add(socket);
    return socket;
  }
}
