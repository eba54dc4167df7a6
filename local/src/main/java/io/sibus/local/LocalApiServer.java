package io.sibus.local;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.RejectedExecutionException;
import java.util.regex.Pattern;

/**
 * A local Kubernetes API: fabric8's test server in CRUD mode, on loopback, answering the few
 * requests it does not implement (JOSDK's SelfSubjectRulesReview), with API discovery and correct
 * merge patches so that kubectl works against it ({@link #writeKubeconfig}). No real API server can
 * run on these machines (STACK.md); with {@code KUBECONFIG} set, the same tests use a real cluster.
 */
public final class LocalApiServer implements AutoCloseable {
  private static final Pattern NAMESPACE = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");

  /**
   * The test server logs every request (java.util.logging, INFO); held here, since the logging
   * framework keeps loggers only weakly and a collected one would forget its level.
   */
  private static final java.util.logging.Logger REQUEST_LOG =
      java.util.logging.Logger.getLogger("io.fabric8.mockwebserver");

  static {
    REQUEST_LOG.setLevel(java.util.logging.Level.WARNING);
  }

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
            new LocalApiDispatcher(responses),
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

  /** How many requests the server has answered since it started. */
  public int requestCount() {
    return server.getRequestCount();
  }

  /**
   * Writes a kubeconfig for this server to {@code file} (its directory must exist): cluster, user
   * and context all named {@code sibus-local}, the context current, with {@code namespace} as its
   * default namespace unless null. For {@code kubectl --kubeconfig} and for processes started with
   * {@code KUBECONFIG}.
   *
   * @return {@code file}
   */
  public Path writeKubeconfig(Path file, String namespace) {
    if (namespace != null && !NAMESPACE.matcher(namespace).matches()) {
      throw new IllegalArgumentException("not a namespace name: " + namespace);
    }
    String kubeconfig =
        """
        apiVersion: v1
        kind: Config
        clusters:
          - name: sibus-local
            cluster:
              server: %s
        users:
          - name: sibus-local
            user: {}
        contexts:
          - name: sibus-local
            context:
              cluster: sibus-local
              user: sibus-local
        %s
        current-context: sibus-local
        """
            .formatted(url(), namespace == null ? "" : "      namespace: " + namespace);
    try {
      return Files.writeString(file, kubeconfig);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** {@link #writeKubeconfig(Path, String)} without a default namespace. */
  public Path writeKubeconfig(Path file) {
    return writeKubeconfig(file, null);
  }

  public KubernetesClient client() {
    return server.createClient();
  }

  @Override
  public void close() {
    try {
      server.destroy();
    } catch (RejectedExecutionException e) {
      // fabric8 7.4's MockWebServer.shutdown() closes Vert.x from a listener and may then wait on
      // the same future from a terminated event loop (fabric8 kubernetes-client#7747). Vert.x is
      // closing by then, so the server is down; a test's teardown must not fail on it.
    }
  }
}
