package io.sibus.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.sibus.crds.v1alpha1.MessagingEngine;
import io.sibus.crds.v1alpha1.MessagingEngineSpec.InitialState;
import io.sibus.crds.v1alpha1.MessagingEngineStatus;
import io.sibus.local.DeliveryLedger;
import io.sibus.local.EngineClient;
import io.sibus.local.EngineClient.Outgoing;
import io.sibus.local.EngineClient.Reply;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The end-to-end tests' common ground: sibus installed from deploy/ with kubectl, the sample bus of
 * deploy/samples (engines me1 and me2 with two members each, queues orders on me1 and shipments on
 * me2, PostgreSQL as a pod), and what the tests ask of it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith(E2EDiagnostics.class)
abstract class SampleBusTestBase {
  static final String NS = "sibus-demo";
  static final String SYSTEM = "sibus-system";
  static final Duration PATIENCE = Duration.ofSeconds(180);

  E2ECluster cluster;
  KubernetesClient client;
  String me1Url;
  String me2Url;

  @BeforeAll
  void install() {
    cluster = E2ECluster.start(getClass().getSimpleName());
    E2EDiagnostics.watch(cluster, NS, SYSTEM);
    client = cluster.client();
    cluster.applyKustomization(E2ECluster.HOME.resolve("deploy/base"));
    await("two operator replicas ready")
        .atMost(PATIENCE)
        .pollInterval(Duration.ofMillis(500))
        .until(() -> operatorReplicasReady() == 2);
    long applied = System.nanoTime();
    cluster.applyKustomization(E2ECluster.HOME.resolve("deploy/samples"));
    awaitReady("me1");
    awaitReady("me2");
    System.out.printf(
        "%s: kubectl apply of the samples to both engines Ready: %d ms%n",
        getClass().getSimpleName(), (System.nanoTime() - applied) / 1_000_000);
    me1Url = cluster.serviceUrl(NS, "me1");
    me2Url = cluster.serviceUrl(NS, "me2");
  }

  @AfterAll
  void uninstall() {
    if (cluster != null) {
      cluster.close();
    }
  }

  // --- helpers

  /** A connection to the sample PostgreSQL through its Service, as the engines have. */
  protected java.sql.Connection database() throws java.sql.SQLException {
    return java.sql.DriverManager.getConnection(
        "jdbc:postgresql://" + cluster.serviceAddress(NS, "postgres") + "/sibus",
        "sibus",
        "sibus-demo-password");
  }

  /** Sets an annotation of an engine to a fresh token, as a person would with kubectl annotate. */
  protected void annotate(String engine, String annotation) {
    mergePatch(
        engine,
        "{\"metadata\":{\"annotations\":{\""
            + annotation
            + "\":\"e2e-"
            + System.nanoTime()
            + "\"}}}");
  }

  protected boolean sendCounted(
      DeliveryLedger ledger, EngineClient engine, String queue, String key) throws Exception {
    ledger.attempted(key);
    Reply reply = engine.send(queue, new Outgoing(key).reliability("ASSURED_PERSISTENT"));
    // 503 is a refusal (nothing stored): the Service may still route to a member that is not the
    // active one for a moment after a start, until the operator moves the role label. Retry it,
    // as a client told "retry shortly" does.
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (reply.status() == 503 && System.nanoTime() < deadline) {
      Thread.sleep(200);
      reply = engine.send(queue, new Outgoing(key).reliability("ASSURED_PERSISTENT"));
    }
    if (!reply.ok()) {
      throw new AssertionError("send of " + key + " to " + queue + ": " + reply);
    }
    ledger.acknowledged(key);
    return true;
  }

  protected static Reply sendQuietly(EngineClient engine, String queue) {
    try {
      return engine.send(queue, new Outgoing("refused?").reliability("ASSURED_PERSISTENT"));
    } catch (Exception e) {
      return null;
    }
  }

  /** Receives and acknowledges until {@code count} messages came, counting each one. */
  protected static void receiveAll(
      DeliveryLedger ledger, EngineClient engine, String queue, int count) throws Exception {
    Set<String> seen = new HashSet<>();
    long deadline = System.currentTimeMillis() + PATIENCE.toMillis();
    Reply last = null;
    while (seen.size() < count && System.currentTimeMillis() < deadline) {
      // As a client of a Service does: a connection cut by a failover, or an answer from a member
      // that is no longer active, is retried; an unacknowledged message comes again after its lock.
      try {
        last = engine.receive(queue, 50, 1000, 30_000);
        if (!last.ok()) {
          Thread.sleep(200);
          continue;
        }
        for (var message : last.json().path("messages")) {
          String key = EngineClient.bodyText(message);
          ledger.received(key);
          if (engine.acknowledge(queue, message.path("receipt").asText()).ok()) {
            ledger.consumed(key);
            seen.add(key);
          }
        }
      } catch (java.io.IOException e) {
        Thread.sleep(200);
      }
    }
    assertThat(last).as("an answer from " + queue).isNotNull();
    assertThat(seen).as("received from " + queue).hasSize(count);
  }

  protected void setInitialState(String engine, InitialState state) {
    mergePatch(engine, "{\"spec\":{\"initialState\":\"" + state + "\"}}");
  }

  /**
   * A JSON merge patch of an engine, as {@code kubectl patch --type=merge} sends it: only the named
   * fields change, whatever the operator writes meanwhile.
   */
  protected void mergePatch(String engine, String json) {
    client
        .resources(MessagingEngine.class)
        .inNamespace(NS)
        .withName(engine)
        .patch(PatchContext.of(PatchType.JSON_MERGE), json);
  }

  protected MessagingEngineStatus status(String engine) {
    MessagingEngine me =
        client.resources(MessagingEngine.class).inNamespace(NS).withName(engine).get();
    return me == null || me.getStatus() == null ? new MessagingEngineStatus() : me.getStatus();
  }

  protected boolean condition(String engine, String type) {
    return status(engine).getConditions().stream()
        .anyMatch(c -> type.equals(c.getType()) && "True".equals(c.getStatus()));
  }

  protected void awaitReady(String engine) {
    await(engine + " Ready")
        .atMost(PATIENCE)
        .pollInterval(Duration.ofMillis(250))
        .until(() -> condition(engine, "Ready"));
  }

  protected void awaitHighlyAvailable(String engine) {
    await(engine + " HighlyAvailable")
        .atMost(PATIENCE)
        .pollInterval(Duration.ofMillis(250))
        .until(() -> condition(engine, "HighlyAvailable") && condition(engine, "Ready"));
  }

  protected int operatorReplicasReady() {
    Deployment d = client.apps().deployments().inNamespace(SYSTEM).withName("sibus-operator").get();
    return d == null || d.getStatus() == null || d.getStatus().getReadyReplicas() == null
        ? 0
        : d.getStatus().getReadyReplicas();
  }

  protected String operatorLeader() {
    Lease lease = client.leases().inNamespace(SYSTEM).withName("sibus-operator").get();
    return lease == null || lease.getSpec() == null ? null : lease.getSpec().getHolderIdentity();
  }
}
