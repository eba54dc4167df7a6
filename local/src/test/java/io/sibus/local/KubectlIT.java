package io.sibus.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.Resource;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real kubectl against the local API server, through a kubeconfig it wrote: the sibus CRDs,
 * custom resources by their short name, the operator install with kustomize, and the edits people
 * make by hand. Skipped where kubectl is not on the PATH.
 */
class KubectlIT {
  private static final Path REPO = Path.of("..").toAbsolutePath().normalize();
  private static final String ENGINE =
      """
      apiVersion: sibus.io/v1alpha1
      kind: MessagingEngine
      metadata:
        name: me1
      spec:
        bus: demo
        members: 2
        dataStore:
          jdbcUrl: jdbc:postgresql://postgres:5432/sibus
          credentialsSecret: pg-credentials
          schema: sibus_me1
      ---
      apiVersion: sibus.io/v1alpha1
      kind: Destination
      metadata:
        name: orders
      spec:
        bus: demo
        localizedOn: me1
      """;

  @TempDir Path dir;
  private Path kubectl;
  private Path kubeconfig;
  private LocalApiServer server;
  private KubernetesClient client;

  @BeforeEach
  void start() throws Exception {
    kubectl = onPath("kubectl");
    assumeTrue(kubectl != null, "kubectl is not on the PATH");
    server = LocalApiServer.start(0);
    client = server.client();
    kubeconfig = server.writeKubeconfig(dir.resolve("kubeconfig"), "default");
    // deploy/crds also holds a kustomization.yaml, which "-f deploy/crds/" would try to apply.
    assertThat(
            ok(
                "apply",
                "--validate=false",
                "-f",
                "deploy/crds/buses.sibus.io.yaml",
                "-f",
                "deploy/crds/messagingengines.sibus.io.yaml",
                "-f",
                "deploy/crds/destinations.sibus.io.yaml"))
        .contains(
            "customresourcedefinition.apiextensions.k8s.io/messagingengines.sibus.io created");
  }

  @AfterEach
  void stop() {
    if (server != null) {
      client.close();
      server.close();
    }
  }

  @Test
  void customResourcesByShortName() throws Exception {
    assertThat(ok("apply", "--validate=false", "-f", file("engine.yaml", ENGINE)))
        .contains("messagingengine.sibus.io/me1 created", "destination.sibus.io/orders created");
    assertThat(ok("get", "me")).contains("me1");
    assertThat(ok("get", "me", "me1", "-o", "yaml"))
        .contains("kind: MessagingEngine", "jdbcUrl: jdbc:postgresql://postgres:5432/sibus");
    assertThat(ok("describe", "me", "me1")).contains("me1", "MessagingEngine", "sibus_me1");
    Resource<GenericKubernetesResource> engine = engine("me1");

    ok("annotate", "me", "me1", "sibus.io/note=hello");
    assertThat(engine.get().getMetadata().getAnnotations()).containsEntry("sibus.io/note", "hello");
    ok("annotate", "me", "me1", "sibus.io/note-");
    assertThat(engine.get().getMetadata().getAnnotations()).doesNotContainKey("sibus.io/note");

    ok("label", "me", "me1", "tier=gold");
    assertThat(engine.get().getMetadata().getLabels()).isEqualTo(Map.of("tier", "gold"));
    assertThat(ok("get", "me", "-l", "tier=gold", "-o", "name"))
        .isEqualTo("messagingengine.sibus.io/me1\n");

    ok("patch", "me", "me1", "--type=merge", "-p", "{\"spec\":{\"members\":3}}");
    assertThat(engine.get().<Integer>get("spec", "members")).isEqualTo(3);
    assertThat(engine.get().getMetadata().getGeneration()).isEqualTo(2L);

    assertThat(ok("delete", "me", "me1")).contains("\"me1\" deleted");
    assertThat(engine.get()).isNull();
    assertThat(ok("get", "me")).contains("No resources found");
    assertThat(ok("get", "dest", "-o", "name")).isEqualTo("destination.sibus.io/orders\n");
  }

  @Test
  void operatorInstallAndReapplyOfAChangedDeployment() throws Exception {
    assertThat(ok("apply", "--validate=false", "-k", "deploy/base"))
        .contains(
            "namespace/sibus-system created",
            "customresourcedefinition.apiextensions.k8s.io/buses.sibus.io unchanged",
            "clusterrole.rbac.authorization.k8s.io/sibus-operator created",
            "deployment.apps/sibus-operator created");
    Resource<Deployment> deployment =
        client.apps().deployments().inNamespace("sibus-system").withName("sibus-operator");
    assertThat(deployment.get().getSpec().getReplicas()).isEqualTo(2);

    // kubectl sends a strategic merge patch: only what changed, list elements by name.
    String changed =
        Files.readString(REPO.resolve("deploy/base/operator-deployment.yaml"))
            .replace("operator:0.1.0", "operator:0.2.0")
            .replace("replicas: 2", "replicas: 3")
            .replace(
                """
                            - name: SIBUS_OPERATOR_ENGINE_IMAGE
                              value: ghcr.io/sibus/engine:0.1.0
                """,
                "");
    assertThat(ok("apply", "--validate=false", "-f", file("deployment.yaml", changed)))
        .contains("deployment.apps/sibus-operator configured");

    Deployment after = deployment.get();
    assertThat(after.getSpec().getReplicas()).isEqualTo(3);
    Container operator = after.getSpec().getTemplate().getSpec().getContainers().get(0);
    assertThat(after.getSpec().getTemplate().getSpec().getContainers()).hasSize(1);
    assertThat(operator.getImage()).isEqualTo("ghcr.io/sibus/operator:0.2.0");
    assertThat(operator.getEnv())
        .extracting("name")
        .containsExactly("SIBUS_OPERATOR_LEASE_NAMESPACE");
    assertThat(operator.getPorts()).extracting("containerPort").containsExactly(8080);
    assertThat(operator.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/q/health/ready");
    assertThat(ok("apply", "--validate=false", "-k", "deploy/base"))
        .contains("deployment.apps/sibus-operator configured");
    assertThat(deployment.get().getSpec().getReplicas()).isEqualTo(2);
  }

  @Test
  void reapplyOfAConfigMapRemovesTheKeyThatWasDropped() throws Exception {
    String map =
        """
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: settings
        data:
          a: "1"
          b: "2"
        """;
    ok("apply", "--validate=false", "-f", file("map.yaml", map));
    assertThat(
            ok(
                "apply",
                "--validate=false",
                "-f",
                file("map.yaml", map.replace("  b: \"2\"\n", ""))))
        .contains("configmap/settings configured");
    ConfigMap settings = client.configMaps().inNamespace("default").withName("settings").get();
    assertThat(settings.getData()).isEqualTo(Map.of("a", "1"));
    assertThat(ok("get", "cm", "settings", "-o", "jsonpath={.data.a}")).isEqualTo("1");
  }

  @Test
  void dryRunsChangeNothing() throws Exception {
    Path engines = file("engine.yaml", ENGINE);
    Run diff = kubectl("diff", "-f", engines);
    assertThat(diff.exit()).as(diff.output()).isEqualTo(1);
    assertThat(diff.output()).contains("+  name: me1");
    assertThat(engine("me1").get()).isNull();

    ok("apply", "--validate=false", "-f", engines);
    assertThat(ok("delete", "me", "me1", "--dry-run=server")).contains("server dry run");
    assertThat(engine("me1").get()).isNotNull();
    ok(
        "apply",
        "--validate=false",
        "--dry-run=server",
        "-f",
        file("more.yaml", ENGINE.replace("members: 2", "members: 5")));
    assertThat(engine("me1").get().<Integer>get("spec", "members")).isEqualTo(2);
  }

  private Resource<GenericKubernetesResource> engine(String name) {
    return client
        .genericKubernetesResources("sibus.io/v1alpha1", "MessagingEngine")
        .inNamespace("default")
        .withName(name);
  }

  private Path file(String name, String content) throws IOException {
    return Files.writeString(dir.resolve(name), content);
  }

  /** Runs kubectl, asserts it succeeded and returns what it printed. */
  private String ok(Object... args) throws Exception {
    Run run = kubectl(args);
    assertThat(run.exit()).as("kubectl %s: %s", Arrays.toString(args), run.output()).isZero();
    return run.output();
  }

  private Run kubectl(Object... args) throws Exception {
    List<String> command =
        new ArrayList<>(List.of(kubectl.toString(), "--kubeconfig", kubeconfig.toString()));
    Arrays.stream(args).map(String::valueOf).forEach(command::add);
    Path output = Files.createTempFile(dir, "kubectl", ".out");
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .directory(REPO.toFile())
            .redirectErrorStream(true)
            .redirectOutput(output.toFile());
    // A fresh discovery cache: another server may have had this port before.
    builder.environment().put("KUBECACHEDIR", dir.resolve("cache").toString());
    Process process = builder.start();
    process.getOutputStream().close();
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("kubectl " + args[0] + " did not finish in 60 s");
    }
    return new Run(process.exitValue(), Files.readString(output));
  }

  private static Path onPath(String program) {
    for (String entry : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      Path candidate = Path.of(entry, program);
      if (!entry.isEmpty() && Files.isExecutable(candidate)) {
        return candidate;
      }
    }
    return null;
  }

  private record Run(int exit, String output) {}
}
