package io.sibus.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sibus.crds.v1alpha1.MessagingEngineSpec.InitialState;
import io.sibus.local.DeliveryLedger;
import io.sibus.local.EngineClient;
import io.sibus.local.EngineClient.Reply;
import io.sibus.local.LoadRunner;
import io.sibus.local.MemberSetClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.MethodOrderer.OrderAnnotation;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The whole system end to end: sibus installed from deploy/ with kubectl, the sample bus of two
 * engines with two members each, real engine and operator processes as pods, real PostgreSQL as a
 * pod, every message counted. Runs on the local cluster, or on the cluster of {@code KUBECONFIG}.
 */
@TestMethodOrder(OrderAnnotation.class)
class BusE2E extends SampleBusTestBase {
  @Test
  @Order(1)
  void sendsAndReceivesThroughTheServicesCrossEngineIncluded() throws Exception {
    DeliveryLedger ledger = new DeliveryLedger();
    EngineClient me1 = new EngineClient(me1Url);
    EngineClient me2 = new EngineClient(me2Url);
    for (int i = 0; i < 20; i++) {
      sendCounted(ledger, me1, "orders", "local-" + i);
      sendCounted(ledger, me1, "shipments", "cross-" + i);
    }
    receiveAll(ledger, me1, "orders", 20);
    receiveAll(ledger, me2, "shipments", 20);
    DeliveryLedger.Report report = ledger.report();
    System.out.println("BusE2E send/receive through Services: " + report);
    assertThat(report.acknowledged()).isEqualTo(40);
    assertThat(report.lost()).as("lost").isEmpty();
    assertThat(report.duplicated()).as("duplicated").isEmpty();
  }

  @Test
  @Order(2)
  void killingTheActiveMemberFiveTimesUnderLoadLosesNothing() throws Exception {
    LoadRunner load =
        new LoadRunner(
                "orders",
                "ASSURED_PERSISTENT",
                () -> new MemberSetClient(List.of(me1Url), null),
                () -> new MemberSetClient(List.of(me1Url), null))
            .start(4, 2, Duration.ofMillis(5));
    List<Long> kills = new ArrayList<>();
    List<Long> failovers = new ArrayList<>();
    try {
      for (int round = 0; round < 5; round++) {
        awaitHighlyAvailable("me1");
        Thread.sleep(1500);
        String active = status("me1").getActiveMember();
        int before = load.acknowledgedCount();
        long killedAt = System.nanoTime();
        cluster.kill(NS, active);
        kills.add(killedAt);
        await("a member other than " + active + " active")
            .atMost(PATIENCE)
            .pollInterval(Duration.ofMillis(100))
            .until(
                () -> {
                  String now = status("me1").getActiveMember();
                  return now != null && !now.equals(active);
                });
        failovers.add((System.nanoTime() - killedAt) / 1_000_000);
        await("sends acknowledged after kill " + round)
            .atMost(PATIENCE)
            .until(() -> load.acknowledgedCount() > before);
      }
      Thread.sleep(1000);
    } catch (Exception | AssertionError e) {
      load.close();
      throw e;
    }
    DeliveryLedger.Report report = load.finish(Duration.ofSeconds(120));
    List<Long> gaps = kills.stream().map(load::writeGapMillis).toList();
    List<Long> sorted = gaps.stream().sorted().toList();
    System.out.printf(
        "BusE2E kill -9 of the active member x5: %s; write gap ms %s (median %d, worst %d);"
            + " kill to new active in status ms %s%n",
        report, gaps, sorted.get(sorted.size() / 2), sorted.get(sorted.size() - 1), failovers);
    assertThat(report.acknowledged()).isGreaterThan(100);
    assertThat(report.lost()).as("lost").isEmpty();
    assertThat(report.duplicated()).as("duplicated").isEmpty();
    assertThat(gaps).allMatch(gap -> gap >= 0);
  }

  @Test
  @Order(6)
  void initialStateStoppedThenStarted() throws Exception {
    DeliveryLedger ledger = new DeliveryLedger();
    EngineClient me2 = new EngineClient(me2Url);
    for (int i = 0; i < 5; i++) {
      sendCounted(ledger, me2, "shipments", "before-stop-" + i);
    }
    setInitialState("me2", InitialState.Stopped);
    await("me2 stopped")
        .atMost(PATIENCE)
        .until(
            () ->
                "Stopped".equals(status("me2").getPhase())
                    && status("me2").getActiveMember() == null);
    Reply refused = sendQuietly(me2, "shipments");
    assertThat(refused == null || !refused.ok())
        .as("a send to a stopped engine is refused")
        .isTrue();
    setInitialState("me2", InitialState.Started);
    awaitReady("me2");
    receiveAll(ledger, new EngineClient(me2Url), "shipments", 5);
    DeliveryLedger.Report report = ledger.report();
    System.out.println("BusE2E stopped then started: " + report);
    assertThat(report.lost()).as("lost").isEmpty();
    assertThat(report.duplicated()).as("duplicated").isEmpty();
  }

  @Test
  @Order(7)
  void whenTheOperatorLeaderIsKilledTheOtherReplicaTakesOverAndFailsOver() throws Exception {
    String leader = operatorLeader();
    assertThat(leader).isNotNull();
    // As when its node is lost: no chance to hand the Lease over, and the pod does not come back
    // (a restarted container of the same pod would take its own Lease back at once).
    cluster.killPod(SYSTEM, leader);
    await("another operator replica leads")
        .atMost(PATIENCE)
        .pollInterval(Duration.ofMillis(200))
        .until(
            () -> {
              String now = operatorLeader();
              return now != null && !now.equals(leader);
            });
    awaitHighlyAvailable("me2");
    String active = status("me2").getActiveMember();
    cluster.kill(NS, active);
    await("me2 failed over under the new operator leader")
        .atMost(PATIENCE)
        .pollInterval(Duration.ofMillis(200))
        .until(
            () -> {
              String now = status("me2").getActiveMember();
              return now != null && !now.equals(active);
            });
    DeliveryLedger ledger = new DeliveryLedger();
    EngineClient me2 = new EngineClient(me2Url);
    await("a send through the me2 Service works again")
        .atMost(PATIENCE)
        .ignoreExceptions()
        .until(() -> sendCounted(ledger, me2, "shipments", "after-failover"));
    receiveAll(ledger, me2, "shipments", 1);
    assertThat(ledger.report().lost()).isEmpty();
  }
}
