package io.sibus.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Merge and strategic merge patch through the fabric8 client, as an API server applies them. */
class LocalApiServerPatchTest {
  private static final PatchContext MERGE = PatchContext.of(PatchType.JSON_MERGE);
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
  void mergePatchReplacesListsRemovesNullsAndIsWatched() throws Exception {
    ConfigMap created = settings().create();
    BlockingQueue<ConfigMap> modified = new LinkedBlockingQueue<>();
    try (Watch watch = client.configMaps().inNamespace("default").watch(into(modified))) {
      ConfigMap patched =
          settings()
              .patch(
                  MERGE,
                  """
                  {"data": {"a": null, "c": "3"},
                   "metadata": {"annotations": {"drop": null},
                                "finalizers": ["example.org/three"]}}
                  """);

      assertThat(patched.getData()).isEqualTo(Map.of("b", "2", "c", "3"));
      assertThat(patched.getMetadata().getAnnotations()).isEqualTo(Map.of("keep", "1"));
      assertThat(patched.getMetadata().getFinalizers()).containsExactly("example.org/three");
      assertThat(Long.parseLong(patched.getMetadata().getResourceVersion()))
          .isGreaterThan(Long.parseLong(created.getMetadata().getResourceVersion()));
      assertThat(settings().get().getData()).isEqualTo(patched.getData());
      ConfigMap event = modified.poll(5, TimeUnit.SECONDS);
      assertThat(event).isNotNull();
      assertThat(event.getData()).containsEntry("c", "3").doesNotContainKey("a");
    }
  }

  @Test
  void staleResourceVersionInThePatchConflicts() {
    String stale = settings().create().getMetadata().getResourceVersion();
    String current =
        settings().patch(MERGE, "{\"data\":{\"b\":\"3\"}}").getMetadata().getResourceVersion();

    assertThatThrownBy(() -> settings().patch(MERGE, withVersion(stale)))
        .isInstanceOfSatisfying(
            KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(409));
    assertThat(settings().patch(MERGE, withVersion(current)).getData()).containsEntry("d", "4");
  }

  @Test
  void patchOfAMissingObjectIsNotFound() {
    assertThatThrownBy(() -> settings().patch(MERGE, "{\"data\":{\"a\":\"1\"}}"))
        .isInstanceOfSatisfying(
            KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(404));
  }

  @Test
  void jsonPatchIsStillFabric8s() {
    settings().create();
    ConfigMap patched =
        settings()
            .patch(
                PatchContext.of(PatchType.JSON),
                "[{\"op\":\"add\",\"path\":\"/data/e\",\"value\":\"5\"}]");
    assertThat(patched.getData()).containsEntry("e", "5").containsEntry("a", "1");
  }

  @Test
  void statusSubresourceRule() throws Exception {
    client
        .resource(LocalApiServerDiscoveryTest.load(client, "messagingengines.sibus.io.yaml"))
        .create();
    Resource<GenericKubernetesResource> engine =
        client
            .genericKubernetesResources("sibus.io/v1alpha1", "MessagingEngine")
            .inNamespace("default")
            .withName("me1");
    client
        .resource(
            client
                .getKubernetesSerialization()
                .unmarshal(
                    """
                    {"apiVersion": "sibus.io/v1alpha1", "kind": "MessagingEngine",
                     "metadata": {"name": "me1", "namespace": "default"},
                     "spec": {"bus": "demo", "members": 2},
                     "status": {"phase": "Ignored"}}
                    """,
                    GenericKubernetesResource.class))
        .create();
    assertThat(engine.get().getAdditionalProperties()).doesNotContainKey("status");

    engine
        .subresource("status")
        .patch(MERGE, "{\"status\":{\"phase\":\"Ready\"},\"spec\":{\"members\":9}}");
    assertThat(field(engine.get(), "status", "phase")).isEqualTo("Ready");
    assertThat(field(engine.get(), "spec", "members")).isEqualTo(2);

    GenericKubernetesResource patched =
        engine.patch(MERGE, "{\"spec\":{\"members\":3},\"status\":{\"phase\":\"Bogus\"}}");
    assertThat(field(patched, "spec", "members")).isEqualTo(3);
    assertThat(field(patched, "status", "phase")).isEqualTo("Ready");
    assertThat(patched.getMetadata().getGeneration()).isEqualTo(2L);

    // kubectl adds ?fieldManager=...; the CRUD server alone then missed the /status path.
    HttpResponse<String> response =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(
                        URI.create(
                            server.url()
                                + "/apis/sibus.io/v1alpha1/namespaces/default/messagingengines/me1"
                                + "/status?fieldManager=kubectl-patch"))
                    .header("Content-Type", "application/merge-patch+json")
                    .method(
                        "PATCH",
                        HttpRequest.BodyPublishers.ofString("{\"status\":{\"phase\":\"Failed\"}}"))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(field(engine.get(), "status", "phase")).isEqualTo("Failed");
    assertThat(field(engine.get(), "spec", "members")).isEqualTo(3);
  }

  @Test
  void strategicMergePatchMergesContainersByName() {
    Resource<Deployment> deployment =
        client.apps().deployments().inNamespace("default").withName("web");
    client
        .resource(
            new DeploymentBuilder()
                .withNewMetadata()
                .withName("web")
                .withNamespace("default")
                .endMetadata()
                .withNewSpec()
                .withReplicas(2)
                .withNewTemplate()
                .withNewSpec()
                .addNewContainer()
                .withName("a")
                .withImage("a:1")
                .addNewEnv()
                .withName("X")
                .withValue("x")
                .endEnv()
                .addNewEnv()
                .withName("Y")
                .withValue("y")
                .endEnv()
                .endContainer()
                .addNewContainer()
                .withName("b")
                .withImage("b:1")
                .endContainer()
                .endSpec()
                .endTemplate()
                .endSpec()
                .build())
        .create();

    Deployment patched =
        deployment.patch(
            PatchContext.of(PatchType.STRATEGIC_MERGE),
            """
            {"spec": {"replicas": 3, "template": {"spec": {
              "$setElementOrder/containers": [{"name": "a"}, {"name": "b"}],
              "containers": [{"name": "a", "image": "a:2",
                              "env": [{"name": "X", "$patch": "delete"}]}]}}}}
            """);

    var containers = patched.getSpec().getTemplate().getSpec().getContainers();
    assertThat(containers).extracting("name").containsExactly("a", "b");
    assertThat(containers).extracting("image").containsExactly("a:2", "b:1");
    assertThat(containers.get(0).getEnv()).extracting("name").containsExactly("Y");
    assertThat(patched.getSpec().getReplicas()).isEqualTo(3);
    assertThat(deployment.get().getSpec().getTemplate().getSpec().getContainers())
        .isEqualTo(containers);
  }

  private Resource<ConfigMap> settings() {
    return client
        .configMaps()
        .inNamespace("default")
        .resource(
            new ConfigMapBuilder()
                .withNewMetadata()
                .withName("settings")
                .withNamespace("default")
                .withAnnotations(Map.of("keep", "1", "drop", "1"))
                .withFinalizers(List.of("example.org/one", "example.org/two"))
                .endMetadata()
                .withData(Map.of("a", "1", "b", "2"))
                .build());
  }

  private static String withVersion(String resourceVersion) {
    return "{\"metadata\":{\"resourceVersion\":\""
        + resourceVersion
        + "\"},\"data\":{\"d\":\"4\"}}";
  }

  private static Object field(GenericKubernetesResource resource, String... path) {
    return resource.get((Object[]) path);
  }

  private static Watcher<ConfigMap> into(BlockingQueue<ConfigMap> modified) {
    return new Watcher<>() {
      @Override
      public void eventReceived(Action action, ConfigMap resource) {
        if (action == Action.MODIFIED) {
          modified.add(resource);
        }
      }

      @Override
      public void onClose(WatcherException cause) {}
    };
  }
}
