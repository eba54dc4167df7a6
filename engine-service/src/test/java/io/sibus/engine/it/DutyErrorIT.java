package io.sibus.engine.it;

import static org.assertj.core.api.Assertions.assertThat;

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
 * Error in the life cycle's own work (a standby's wait for the data store).
 */
class DutyErrorIT {
  @RegisterExtension static final ClusterExtension CLUSTER = new ClusterExtension("duty-error");

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
        """
          - {name: orders, localizedOn: me1}
          - {name: shipments, localizedOn: me2}
        """,
        "duty-secret",
        "1h");
    MemberProcess member =
        cluster.launch("me1", "d0", port, Map.of("sibus.engine.test-faults", "true"));
    EngineCluster.awaitState(member, "ACTIVE", Duration.ofSeconds(60));
    EngineClient client = EngineCluster.client(member);
    assertThat(client.send("shipments", new Outgoing("for me2")).status()).isEqualTo(201);

    assertThat(client.post("/api/v1/test/faults/" + fault, null).status()).isEqualTo(202);

    assertThat(member.waitFor(Duration.ofSeconds(30))).as("exit code").isEqualTo(10);
    assertThat(member.terminationMessage())
        .contains("SIBUS0052E")
        .contains(reported)
        .contains("an Error injected as a test fault");
  }

  /**
   * A defect (a RuntimeException) between two streams' flushes, or in the flush's completion, ended
   * the flush's thread without a word: the flush stayed IN_PROGRESS and its streams held.
   */
  @Test
  void aDefectThatEndsTheFlushOfTheDeliveryStreamsStopsTheMember() throws Exception {
    EngineCluster cluster = CLUSTER.get();
    int port = EngineCluster.freePort();
    cluster.writeBus(
        Map.of("me1", List.of(port)),
        "  - {name: orders, localizedOn: me1}\n",
        "duty-secret",
        "1h");
    MemberProcess member =
        cluster.launch("me1", "f0", port, Map.of("sibus.engine.test-faults", "true"));
    EngineCluster.awaitState(member, "ACTIVE", Duration.ofSeconds(60));
    EngineClient client = EngineCluster.client(member);
    assertThat(client.post("/api/v1/test/faults/stream-flush-error", null).status()).isEqualTo(202);

    assertThat(client.stop().status()).isEqualTo(202);
    EngineCluster.awaitState(member, "STOPPED", Duration.ofSeconds(30));
    assertThat(client.start("RESTART_AFTER_RESTORE").status()).isEqualTo(202);

    assertThat(member.waitFor(Duration.ofSeconds(30))).as("exit code").isEqualTo(10);
    assertThat(member.terminationMessage())
        .contains("SIBUS0052E")
        .contains("The flush of the delivery streams of messaging engine me1")
        .contains("a defect injected as a test fault");
  }

  /**
   * The life cycle's own work (here a standby's wait for the data store) ending on an Error stops
   * the member. Before, the failure stayed in a future that nobody read: a standby that looked
   * healthy and would never take over.
   */
  @Test
  void anErrorInAStandbysWaitStopsTheStandbyAlone() throws Exception {
    EngineCluster cluster = CLUSTER.get();
    int port = EngineCluster.freePort();
    int standbyPort = EngineCluster.freePort();
    cluster.writeBus(
        Map.of("me1", List.of(port, standbyPort)),
        "  - {name: orders, localizedOn: me1}\n",
        "duty-secret",
        "1h");
    Map<String, String> faults = Map.of("sibus.engine.test-faults", "true");
    MemberProcess active = cluster.launch("me1", "s0", port, faults);
    EngineCluster.awaitState(active, "ACTIVE", Duration.ofSeconds(60));
    MemberProcess standby = cluster.launch("me1", "s1", standbyPort, faults);
    EngineCluster.awaitState(standby, "STANDBY", Duration.ofSeconds(60));

    EngineClient client = EngineCluster.client(standby);
    assertThat(client.post("/api/v1/test/faults/standby-error", null).status()).isEqualTo(202);

    assertThat(standby.waitFor(Duration.ofSeconds(30))).as("exit code").isEqualTo(10);
    assertThat(standby.terminationMessage())
        .contains("SIBUS0052E")
        .contains("The life cycle of messaging engine me1 failed unexpectedly")
        .contains("an Error injected as a test fault");
    EngineCluster.awaitState(active, "ACTIVE", Duration.ofSeconds(5));
  }
}
