package io.sibus.engine.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.sibus.local.EngineClient;
import io.sibus.local.EngineClient.Outgoing;
import io.sibus.local.MemberProcess;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A thread of the active member's work that ends on an Error (out of memory, say) stops the member
 * with a local error, so that a standby takes over (as {@link FailoverIT} shows for the writer) or
 * the member restarts. Before, such a thread ended without a word: the member stayed ACTIVE and
 * healthy while its locks no longer expired or its messages for other engines waited for ever. So
 * does a defect that ends a thread with no way to go on (the flush of the delivery streams), and an
 * Error in the life cycle's own work (a standby's wait for the data store). A stop that fails does
 * not stop the member, but lets its data store go.
 */
class DutyErrorIT {
  @RegisterExtension static final ClusterExtension CLUSTER = new ClusterExtension("duty-error");

  private static final String ORDERS = "  - {name: orders, localizedOn: me1}\n";

  @ParameterizedTest
  @CsvSource({
    "housekeeping-error, The housekeeping of messaging engine me1",
    "stream-sender-error, The sender of delivery stream",
    "vacuuming-error, The vacuuming of the queue tables of messaging engine me1"
  })
  void aDutyEndedByAnErrorStopsTheMember(String fault, String reported) throws Exception {
    EngineCluster cluster = CLUSTER.get();
    int port = EngineCluster.freePort();
    // me2 is never started: a message for it waits in a delivery stream whose sender retries.
    cluster.writeBus(
        Map.of("me1", List.of(port), "me2", List.of(EngineCluster.freePort())),
        ORDERS + "  - {name: shipments, localizedOn: me2}\n",
        "duty-secret",
        "1h");
    MemberProcess member = launch(cluster, "d0", port, "ACTIVE");
    EngineClient client = EngineCluster.client(member);
    assertThat(client.send("shipments", new Outgoing("for me2")).status()).isEqualTo(201);

    assertThat(client.post("/api/v1/test/faults/" + fault, null).status()).isEqualTo(202);

    assertEndedWithALocalError(member, reported, "an Error injected as a test fault");
  }

  /**
   * A defect (a RuntimeException) between two streams' flushes, or in the flush's completion, ended
   * the flush's thread without a word: the flush stayed IN_PROGRESS and its streams held.
   */
  @Test
  void aDefectThatEndsTheFlushOfTheDeliveryStreamsStopsTheMember() throws Exception {
    EngineCluster cluster = CLUSTER.get();
    int port = EngineCluster.freePort();
    cluster.writeBus(Map.of("me1", List.of(port)), ORDERS, "duty-secret", "1h");
    MemberProcess member = launch(cluster, "f0", port, "ACTIVE");
    EngineClient client = EngineCluster.client(member);
    assertThat(client.post("/api/v1/test/faults/stream-flush-error", null).status()).isEqualTo(202);

    assertThat(client.stop().status()).isEqualTo(202);
    EngineCluster.awaitState(member, "STOPPED", Duration.ofSeconds(30));
    assertThat(client.start("RESTART_AFTER_RESTORE").status()).isEqualTo(202);

    assertEndedWithALocalError(
        member,
        "The flush of the delivery streams of messaging engine me1",
        "a defect injected as a test fault");
  }

  /**
   * The life cycle's own work (here a standby's wait for the data store) ending on an Error stops
   * the member. Before, the failure stayed in a future that nobody read: a standby that looked
   * healthy and would never take over.
   */
  @Test
  void anErrorInAStandbysWaitStopsTheStandbyAlone() throws Exception {
    ActiveAndStandby members = launchActiveAndStandby("s");
    MemberProcess active = members.active();
    MemberProcess standby = members.standby();

    EngineClient client = EngineCluster.client(standby);
    assertThat(client.post("/api/v1/test/faults/standby-error", null).status()).isEqualTo(202);

    assertEndedWithALocalError(
        standby,
        "The life cycle of messaging engine me1 failed unexpectedly",
        "an Error injected as a test fault");
    EngineCluster.awaitState(active, "ACTIVE", Duration.ofSeconds(5));
  }

  /**
   * An orderly stop that fails while it stops the member's work still lets the data store go, so
   * that a standby takes over, rather than wait behind a member that neither serves nor stops; the
   * member is STOPPED, and starts again without a second stop.
   */
  @Test
  void aStopThatFailsStillLetsAStandbyTakeOver() throws Exception {
    ActiveAndStandby members = launchActiveAndStandby("t");
    MemberProcess active = members.active();
    MemberProcess standby = members.standby();
    EngineClient client = EngineCluster.client(active);
    for (int i = 0; i < 5; i++) {
      assertThat(client.send("orders", new Outgoing("stored " + i)).status()).isEqualTo(201);
    }
    assertThat(client.post("/api/v1/test/faults/stop-error", null).status()).isEqualTo(202);

    assertThat(client.stop().status()).isEqualTo(202);

    EngineCluster.awaitState(standby, "ACTIVE", Duration.ofSeconds(60));
    assertThat(active.alive()).as("the member whose stop failed runs on").isTrue();
    assertThat(active.log()).contains("The stop of messaging engine me1 failed");
    // Nonpersistent: no commit would refuse it; only a member that stopped serving does.
    Outgoing inMemory = new Outgoing("after the stop").reliability("RELIABLE_NONPERSISTENT");
    assertThat(client.send("orders", inMemory).status())
        .as("a member that let the store go serves nothing more")
        .isEqualTo(503);
    JsonNode received =
        EngineCluster.client(standby).receive("orders", 10, 1000, 30_000).json().get("messages");
    assertThat(received).hasSize(5);

    EngineCluster.awaitState(active, "STOPPED", Duration.ofSeconds(30));
    assertThat(client.start("NORMAL").status()).as("started without a second stop").isEqualTo(202);
    EngineCluster.awaitState(active, "STANDBY", Duration.ofSeconds(60));
  }

  private record ActiveAndStandby(MemberProcess active, MemberProcess standby) {}

  /** Two members of me1, {@code prefix}0 ACTIVE and {@code prefix}1 its STANDBY. */
  private static ActiveAndStandby launchActiveAndStandby(String prefix) {
    EngineCluster cluster = CLUSTER.get();
    int port = EngineCluster.freePort();
    int standbyPort = EngineCluster.freePort();
    cluster.writeBus(Map.of("me1", List.of(port, standbyPort)), ORDERS, "duty-secret", "1h");
    MemberProcess active = launch(cluster, prefix + "0", port, "ACTIVE");
    return new ActiveAndStandby(active, launch(cluster, prefix + "1", standbyPort, "STANDBY"));
  }

  /** A member of me1 with the test faults on, once it reports {@code state}. */
  private static MemberProcess launch(
      EngineCluster cluster, String member, int port, String state) {
    MemberProcess launched = cluster.launch("me1", member, port, EngineCluster.FAULTS_ON);
    EngineCluster.awaitState(launched, state, Duration.ofSeconds(60));
    return launched;
  }

  /** Exit code 10 is a local error; its termination message names the duty and the cause. */
  private static void assertEndedWithALocalError(
      MemberProcess member, String reported, String cause) {
    assertThat(member.waitFor(Duration.ofSeconds(30))).as("exit code").isEqualTo(10);
    assertThat(member.terminationMessage())
        .contains("SIBUS0052E")
        .contains(reported)
        .contains(cause);
  }
}
