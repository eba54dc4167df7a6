package io.sibus.engine.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.sibus.local.LocalApiServer;
import io.sibus.local.MemberProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code sibus.engine.election=kubernetes}: members as real processes, a real PostgreSQL, and
 * fabric8's test API server (CRUD mode) in this JVM holding the engine's Lease. The Lease decides
 * who may try: a killed holder is replaced only once its Lease expires (the data store's lock alone
 * would hand over at once), sooner when the Lease is released, never while it is marked
 * failover-suppressed, and a Lease handed to a standby moves the engine there.
 */
class KubernetesElectionIT {
  @RegisterExtension static final ClusterExtension CLUSTER = new ClusterExtension("k8s-election");

  private static final String NAMESPACE = "test";
  private static final String ENGINE = "me1";
  private static final String SUPPRESSED = "sibus.io/failover-suppressed";

  private static LocalApiServer server;
  private static KubernetesClient admin;

  @BeforeAll
  static void startApiServer() {
    server = LocalApiServer.start(0);
    admin = server.client();
  }

  @AfterAll
  static void stopApiServer() {
    admin.close();
    server.close();
  }

  @BeforeEach
  void noLeaseYet() {
    lease().delete();
  }

  @Test
  void aKilledHolderIsReplacedOnlyOnceItsLeaseExpires() {
    List<MemberProcess> members = launchTwo(3, 2, 1);
    MemberProcess active = EngineCluster.awaitActive(members, Duration.ofSeconds(90));
    MemberProcess standby = other(members, active);
    EngineCluster.awaitState(standby, "STANDBY", Duration.ofSeconds(60));
    assertThat(holder()).isEqualTo(active.name());
    assertThat(engine(standby).get("election").asText()).isEqualTo("kubernetes");
    // The standby names the holder once it has looked at the Lease.
    await("standby names the holder")
        .atMost(Duration.ofSeconds(5))
        .until(() -> active.name().equals(engine(standby).path("activeMember").asText()));
    assertThat(engine(active).get("election").asText()).isEqualTo("kubernetes");

    long killedAt = System.nanoTime();
    active.kill();
    EngineCluster.awaitState(standby, "ACTIVE", Duration.ofSeconds(30));
    Duration took = Duration.ofNanos(System.nanoTime() - killedAt);

    // The last renewal was at most a retry period (1 s) before the kill, so the 3 s Lease held the
    // standby back for at least 2 s, though the killed member's lock was gone at once.
    assertThat(took).isGreaterThan(Duration.ofMillis(1800));
    assertThat(holder()).isEqualTo(standby.name());
    assertThat(lease().get().getSpec().getLeaseTransitions()).isGreaterThanOrEqualTo(2);
    System.out.printf(
        "KubernetesElectionIT: kill to ACTIVE after Lease expiry: %d ms%n", took.toMillis());
  }

  @Test
  void aLeaseReleasedForADeadHolderIsTakenWellBeforeItExpires() {
    // A long Lease, so that "before it expires" cannot be luck.
    List<MemberProcess> members = launchTwo(15, 10, 1);
    MemberProcess active = EngineCluster.awaitActive(members, Duration.ofSeconds(90));
    MemberProcess standby = other(members, active);
    EngineCluster.awaitState(standby, "STANDBY", Duration.ofSeconds(60));

    long killedAt = System.nanoTime();
    active.kill();
    // What the operator does when it sees the holder's pod gone.
    mergePatch("{\"spec\": {\"holderIdentity\": null}}");
    EngineCluster.awaitState(standby, "ACTIVE", Duration.ofSeconds(30));
    Duration took = Duration.ofNanos(System.nanoTime() - killedAt);

    assertThat(took).isLessThan(Duration.ofSeconds(7)); // the Lease expires 14 s or more after
    assertThat(holder()).isEqualTo(standby.name());
    System.out.printf(
        "KubernetesElectionIT: kill to ACTIVE after release: %d ms%n", took.toMillis());
  }

  @Test
  void aLeaseMarkedFailoverSuppressedKeepsTheStandbyFromActivating() throws Exception {
    List<MemberProcess> members = launchTwo(3, 2, 1);
    MemberProcess active = EngineCluster.awaitActive(members, Duration.ofSeconds(90));
    MemberProcess standby = other(members, active);
    EngineCluster.awaitState(standby, "STANDBY", Duration.ofSeconds(60));

    // What the operator does on a global error.
    mergePatch("{\"metadata\": {\"annotations\": {\"" + SUPPRESSED + "\": \"SIBUS0050E\"}}}");
    active.kill();

    // Two lease durations and more: long expired, and the standby still does not activate.
    long until = System.nanoTime() + Duration.ofSeconds(8).toNanos();
    while (System.nanoTime() < until) {
      assertThat(standby.reportedState()).isEqualTo("STANDBY");
      Thread.sleep(200);
    }
    assertThat(engine(standby).get("failoverSuppressed").asBoolean()).isTrue();
    assertThat(holder()).isEqualTo(active.name());

    // The mark, and nothing else, held it back.
    mergePatch("{\"metadata\": {\"annotations\": {\"" + SUPPRESSED + "\": null}}}");
    EngineCluster.awaitState(standby, "ACTIVE", Duration.ofSeconds(30));
    assertThat(engine(standby).get("failoverSuppressed").asBoolean()).isFalse();
    assertThat(holder()).isEqualTo(standby.name());
  }

  @Test
  void aCleanStopReleasesTheLease() {
    List<MemberProcess> members = launchTwo(15, 10, 1);
    MemberProcess active = EngineCluster.awaitActive(members, Duration.ofSeconds(90));
    MemberProcess standby = other(members, active);
    EngineCluster.awaitState(standby, "STANDBY", Duration.ofSeconds(60));

    long stoppedAt = System.nanoTime();
    active.terminate(Duration.ofSeconds(30));
    EngineCluster.awaitState(standby, "ACTIVE", Duration.ofSeconds(30));
    Duration took = Duration.ofNanos(System.nanoTime() - stoppedAt);

    assertThat(active.log()).contains("SIBUS0055I");
    assertThat(took).isLessThan(Duration.ofSeconds(10)); // not the 15 s of an expiry
    assertThat(holder()).isEqualTo(standby.name());
  }

  @Test
  void aLeaseHandedToAStandbyMovesTheEngineThere() {
    List<MemberProcess> members = launchTwo(15, 10, 1);
    MemberProcess active = EngineCluster.awaitActive(members, Duration.ofSeconds(90));
    MemberProcess standby = other(members, active);
    EngineCluster.awaitState(standby, "STANDBY", Duration.ofSeconds(60));

    // What the operator does to move the engine to a chosen standby.
    mergePatch("{\"spec\": {\"holderIdentity\": \"" + standby.name() + "\"}}");

    Integer exit = active.waitFor(Duration.ofSeconds(20));
    assertThat(exit).as("exit code of the member that lost its Lease").isEqualTo(10);
    assertThat(active.terminationMessage())
        .contains("\"LOCAL\"")
        .contains("SIBUS0052E")
        .contains(standby.name());
    EngineCluster.awaitState(standby, "ACTIVE", Duration.ofSeconds(30));
    assertThat(holder()).isEqualTo(standby.name());
  }

  @Test
  void outsideAPodTheDataStoreElectsAndKubernetesIsLeftAlone() {
    int requestsBefore = server.requestCount();
    Map<String, String> props = new HashMap<>(clientPointedAtTestServer());
    MemberProcess member = CLUSTER.get().launch(ENGINE, "d0", props);
    EngineCluster.awaitState(member, "ACTIVE", Duration.ofSeconds(60));

    assertThat(engine(member).get("election").asText()).isEqualTo("datastore");
    assertThat(server.requestCount()).isEqualTo(requestsBefore);
    assertThat(lease().get()).isNull();
  }

  /** Two members of the engine, electing through the test API server with these durations. */
  private List<MemberProcess> launchTwo(int leaseSeconds, int renewSeconds, int retrySeconds) {
    Map<String, String> props = new HashMap<>();
    props.put("sibus.engine.election", "kubernetes");
    props.put("sibus.election.namespace", NAMESPACE);
    props.put("sibus.election.lease-duration", leaseSeconds + "s");
    props.put("sibus.election.renew-deadline", renewSeconds + "s");
    props.put("sibus.election.retry-period", retrySeconds + "s");
    props.putAll(clientPointedAtTestServer());
    EngineCluster cluster = CLUSTER.get();
    return List.of(cluster.launch(ENGINE, "k0", props), cluster.launch(ENGINE, "k1", props));
  }

  /** fabric8's client settings (system properties) that lead a member to the test API server. */
  private static Map<String, String> clientPointedAtTestServer() {
    return Map.of(
        "kubernetes.master", "http://127.0.0.1:" + server.port(),
        "kubernetes.trust.certificates", "true",
        "kubernetes.auth.tryKubeConfig", "false",
        "kubernetes.auth.tryServiceAccount", "false");
  }

  private static MemberProcess other(List<MemberProcess> members, MemberProcess one) {
    return members.get(members.get(0) == one ? 1 : 0);
  }

  private static JsonNode engine(MemberProcess member) {
    try {
      return EngineCluster.client(member).engine().json();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Resource<Lease> lease() {
    return admin.leases().inNamespace(NAMESPACE).withName(ENGINE);
  }

  /**
   * Changes the Lease as the operator does: a JSON merge patch without a resourceVersion, so it
   * does not race the holder's renewals.
   */
  private static void mergePatch(String patch) {
    lease().patch(PatchContext.of(PatchType.JSON_MERGE), patch);
  }

  private static String holder() {
    Lease lease = lease().get();
    return lease == null ? null : lease.getSpec().getHolderIdentity();
  }
}
