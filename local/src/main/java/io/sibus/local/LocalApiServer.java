package io.sibus.local;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.HashMap;
import java.util.Map;
import java.util.Queue;

/**
 * A local Kubernetes API: fabric8's test server in CRUD mode, on loopback, answering the few
 * requests it does not implement (JOSDK's SelfSubjectRulesReview). No real API server can run on
 * these machines (STACK.md); with {@code KUBECONFIG} set, the same tests use a real cluster.
 */
public final class LocalApiServer implements AutoCloseable {
  private final KubernetesMockServer server;

  private LocalApiServer(KubernetesMockServer server) {
    this.server = server;
  }

  public static LocalApiServer start(int port) {
    Map<ServerRequest, Queue<ServerResponse>> responses = new HashMap<>();
    KubernetesMockServer server =
        new KubernetesMockServer(
            new Context(),
            new MockWebServer(),
            responses,
            new KubernetesMixedDispatcher(responses),
            false);
    try {
      server.init(InetAddress.getByName("127.0.0.1"), port);
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e);
    }
    server
        .expect()
        .post()
        .withPath("/apis/authorization.k8s.io/v1/selfsubjectrulesreviews")
        .andReturn(
            201,
            "{\"apiVersion\":\"authorization.k8s.io/v1\",\"kind\":\"SelfSubjectRulesReview\","
                + "\"status\":{\"resourceRules\":[{\"verbs\":[\"*\"],\"apiGroups\":[\"*\"],"
                + "\"resources\":[\"*\"]}],\"nonResourceRules\":[],\"incomplete\":false}}")
        .always();
    return new LocalApiServer(server);
  }

  /** The API server's URL, for {@code kubernetes.master} and kubeconfig files. */
  public String url() {
    return "http://127.0.0.1:" + server.getPort();
  }

  public int port() {
    return server.getPort();
  }

  public KubernetesClient client() {
    return server.createClient();
  }

  @Override
  public void close() {
    server.destroy();
  }
}
