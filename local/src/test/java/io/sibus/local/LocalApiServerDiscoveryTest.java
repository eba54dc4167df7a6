package io.sibus.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The discovery documents kubectl reads, over plain HTTP. */
class LocalApiServerDiscoveryTest {
  static final Path CRDS = Path.of("..", "deploy", "crds");
  private static final ObjectMapper JSON = new ObjectMapper();
  private final HttpClient http = HttpClient.newHttpClient();
  private LocalApiServer server;
  private KubernetesClient client;

  @BeforeEach
  void start() {
    server = LocalApiServer.start(0);
    client = server.client();
  }

  @AfterEach
  void stop() {
    client.close();
    server.close();
  }

  @Test
  void versionAndCoreApi() throws Exception {
    assertThat(get("/version").path("gitVersion").asText()).startsWith("v1.32");
    assertThat(get("/api").path("versions").toString()).isEqualTo("[\"v1\"]");

    JsonNode core = get("/api/v1");
    assertThat(core.path("groupVersion").asText()).isEqualTo("v1");
    JsonNode pods = resource(core, "pods");
    assertThat(pods.path("kind").asText()).isEqualTo("Pod");
    assertThat(pods.path("namespaced").asBoolean()).isTrue();
    assertThat(strings(pods.path("shortNames"))).containsExactly("po");
    assertThat(strings(pods.path("verbs"))).contains("get", "list", "watch", "patch", "create");
    assertThat(resource(core, "pods/status").path("verbs").toString()).contains("patch");
    assertThat(resource(core, "namespaces").path("namespaced").asBoolean()).isFalse();
    for (String name : List.of("svc", "cm", "ns", "ep", "sa", "ev", "pvc")) {
      assertThat(shortNames(core)).contains(name);
    }
    assertThat(names(core))
        .contains(
            "services",
            "endpoints",
            "configmaps",
            "secrets",
            "serviceaccounts",
            "events",
            "persistentvolumeclaims");
  }

  @Test
  void builtInGroups() throws Exception {
    assertThat(names(get("/apis").path("groups")))
        .contains(
            "apps",
            "coordination.k8s.io",
            "rbac.authorization.k8s.io",
            "policy",
            "apiextensions.k8s.io",
            "authorization.k8s.io",
            "events.k8s.io");
    JsonNode apps = get("/apis/apps");
    assertThat(apps.path("preferredVersion").path("groupVersion").asText()).isEqualTo("apps/v1");
    assertThat(names(get("/apis/apps/v1")))
        .contains("deployments", "statefulsets", "replicasets", "deployments/status");
    assertThat(names(get("/apis/coordination.k8s.io/v1"))).contains("leases");
    assertThat(names(get("/apis/rbac.authorization.k8s.io/v1")))
        .contains("roles", "rolebindings", "clusterroles", "clusterrolebindings");
    assertThat(
            resource(get("/apis/rbac.authorization.k8s.io/v1"), "clusterroles")
                .path("namespaced")
                .asBoolean())
        .isFalse();
    assertThat(names(get("/apis/policy/v1"))).contains("poddisruptionbudgets");
    assertThat(names(get("/apis/apiextensions.k8s.io/v1"))).contains("customresourcedefinitions");
    assertThat(names(get("/apis/authorization.k8s.io/v1"))).contains("selfsubjectrulesreviews");
    assertThat(names(get("/apis/events.k8s.io/v1"))).contains("events");
  }

  @Test
  void customResourcesAreDiscoveredFromTheirDefinitions() throws Exception {
    assertThat(status("/apis/sibus.io")).isEqualTo(404);
    CustomResourceDefinition crd = load(client, "messagingengines.sibus.io.yaml");
    client.resource(crd).create();

    assertThat(names(get("/apis").path("groups"))).contains("sibus.io");
    assertThat(get("/apis/sibus.io").path("preferredVersion").path("version").asText())
        .isEqualTo("v1alpha1");
    JsonNode list = get("/apis/sibus.io/v1alpha1");
    assertThat(list.path("groupVersion").asText()).isEqualTo("sibus.io/v1alpha1");
    JsonNode engines = resource(list, "messagingengines");
    assertThat(engines.path("kind").asText()).isEqualTo("MessagingEngine");
    assertThat(engines.path("singularName").asText()).isEqualTo("messagingengine");
    assertThat(engines.path("namespaced").asBoolean()).isTrue();
    assertThat(strings(engines.path("shortNames"))).containsExactly("me");
    assertThat(strings(engines.path("categories"))).containsExactly("sibus");
    assertThat(names(list)).contains("messagingengines/status");

    client.resource(crd).delete();
    assertThat(status("/apis/sibus.io/v1alpha1")).isEqualTo(404);
    assertThat(names(get("/apis").path("groups"))).doesNotContain("sibus.io");
  }

  @Test
  void clusterScopedCrdWithTwoVersionsPrefersTheStorageVersion() throws Exception {
    client
        .resource(
            client
                .getKubernetesSerialization()
                .unmarshal(
                    """
                    apiVersion: apiextensions.k8s.io/v1
                    kind: CustomResourceDefinition
                    metadata: {name: widgets.example.org}
                    spec:
                      group: example.org
                      scope: Cluster
                      names: {plural: widgets, singular: widget, kind: Widget}
                      versions:
                        - {name: v1beta1, served: true, storage: false}
                        - {name: v1, served: true, storage: true}
                        - {name: v1alpha1, served: false, storage: false}
                    """,
                    CustomResourceDefinition.class))
        .create();
    JsonNode group = get("/apis/example.org");
    assertThat(group.path("preferredVersion").path("version").asText()).isEqualTo("v1");
    assertThat(group.path("versions").findValuesAsText("version")).containsExactly("v1", "v1beta1");
    JsonNode widgets = resource(get("/apis/example.org/v1beta1"), "widgets");
    assertThat(widgets.path("namespaced").asBoolean()).isFalse();
    assertThat(names(get("/apis/example.org/v1"))).doesNotContain("widgets/status");
    assertThat(status("/apis/example.org/v1alpha1")).isEqualTo(404);
  }

  @Test
  void openApiIsNotServed() throws Exception {
    assertThat(status("/openapi/v2")).isEqualTo(404);
    assertThat(status("/openapi/v3")).isEqualTo(404);
    assertThat(status("/apis/nothing.example.org")).isEqualTo(404);
  }

  static CustomResourceDefinition load(KubernetesClient client, String file) throws IOException {
    try (InputStream in = Files.newInputStream(CRDS.resolve(file))) {
      return client.getKubernetesSerialization().unmarshal(in, CustomResourceDefinition.class);
    }
  }

  private JsonNode get(String path) throws Exception {
    HttpResponse<String> response = send(path);
    assertThat(response.statusCode()).as(path).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
    return JSON.readTree(response.body());
  }

  private int status(String path) throws Exception {
    return send(path).statusCode();
  }

  private HttpResponse<String> send(String path) throws Exception {
    HttpRequest request = HttpRequest.newBuilder(URI.create(server.url() + path)).build();
    return http.send(request, HttpResponse.BodyHandlers.ofString());
  }

  private static JsonNode resource(JsonNode list, String name) {
    for (JsonNode resource : list.path("resources")) {
      if (resource.path("name").asText().equals(name)) {
        return resource;
      }
    }
    throw new AssertionError("no " + name + " in " + list);
  }

  private static List<String> names(JsonNode listOrArray) {
    JsonNode items = listOrArray.isArray() ? listOrArray : listOrArray.path("resources");
    List<String> names = new ArrayList<>();
    items.forEach(item -> names.add(item.path("name").asText()));
    return names;
  }

  private static List<String> shortNames(JsonNode list) {
    List<String> names = new ArrayList<>();
    list.path("resources").forEach(r -> names.addAll(strings(r.path("shortNames"))));
    return names;
  }

  private static List<String> strings(JsonNode array) {
    List<String> strings = new ArrayList<>();
    array.forEach(value -> strings.add(value.asText()));
    return strings;
  }
}
