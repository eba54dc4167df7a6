package io.sibus.engine.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.sibus.local.DeliveryLedger;
import io.sibus.local.EngineClient;
import io.sibus.local.LoadRunner;
import io.sibus.local.MemberProcess;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * kill -9 of the active member under concurrent assured sends, five times in a row, and an active
 * member whose group-commit writer ends on an Error: every acknowledged message is received, none
 * is consumed twice, and a standby takes over each time.
 */
class FailoverIT {
  @RegisterExtension static final ClusterExtension CLUSTER = new ClusterExtension("failover");

  @Test
  void killingTheActiveMemberUnderLoadLosesAndDuplicatesNothing() throws Exception {
    EngineCluster cluster = CLUSTER.get();
    List<MemberProcess> members = new ArrayList<>();
    members.add(cluster.launch("me1", "m0"));
    members.add(cluster.launch("me1", "m1"));
    MemberProcess active = EngineCluster.awaitActive(members, Duration.ofSeconds(60));
    MemberProcess standby = members.get(members.get(0) == active ? 1 : 0);
    EngineCluster.awaitState(standby, "STANDBY", Duration.ofSeconds(60));

    List<String> urls =
        new CopyOnWriteArrayList<>(members.stream().map(MemberProcess::url).toList());
    LoadRunner load = EngineCluster.assuredLoad("orders", urls).start(4, 2, Duration.ofMillis(2));
    List<Long> failoverMillis = new ArrayList<>();
    List<Long> writeGaps = new ArrayList<>();
    List<Long> killTimes = new ArrayList<>();
    try {
      for (int round = 0; round < 5; round++) {
        Thread.sleep(1500);
        int before = load.acknowledgedCount();
        long killedAt = System.nanoTime();
        active.kill();
        killTimes.add(killedAt);
        MemberProcess next = EngineCluster.awaitActive(members, Duration.ofSeconds(30));
        failoverMillis.add((System.nanoTime() - killedAt) / 1_000_000);
        assertThat(next).isNotSameAs(active);
        // The killed member comes back as a new process and waits as a standby.
        int index = members.indexOf(active);
        MemberProcess restarted = cluster.launch("me1", active.name() + "-r" + round);
        members.set(index, restarted);
        urls.set(index, restarted.url());
        EngineCluster.awaitState(restarted, "STANDBY", Duration.ofSeconds(60));
        active = next;
        long deadline = System.currentTimeMillis() + 30_000;
        while (load.acknowledgedCount() <= before && System.currentTimeMillis() < deadline) {
          Thread.sleep(50);
        }
        assertThat(load.acknowledgedCount()).as("sends after kill " + round).isGreaterThan(before);
      }
      Thread.sleep(1000);
    } catch (Exception | AssertionError e) {
      load.close();
      throw e;
    }
    DeliveryLedger.Report report = load.finish(Duration.ofSeconds(60));
    for (long killedAt : killTimes) {
      writeGaps.add(load.writeGapMillis(killedAt));
    }
    System.out.printf(
        "FailoverIT: %s; failover (kill to ACTIVE) ms %s; write gap ms %s; retried attempts %d%n",
        report, failoverMillis, writeGaps, load.failures());
    assertThat(report.acknowledged()).isGreaterThan(200);
    assertThat(report.lost()).as("lost").isEmpty();
    assertThat(report.duplicated()).as("duplicated").isEmpty();
    assertThat(report.unexpected()).as("unexpected").isEmpty();
    assertThat(failoverMillis).hasSize(5);
    assertThat(writeGaps.stream().collect(Collectors.toList())).allMatch(gap -> gap >= 0);
  }

  /**
   * An Error (out of memory, say) ends the active member's writer under load. A writer that ended
   * without a word left every later send waiting on a member that still looked healthy; now the
   * member stops with a local error, and the standby takes over.
   */
  @Test
  void aWriterEndedByAnErrorFailsTheMemberOverLosingNothing() throws Exception {
    EngineCluster cluster = CLUSTER.get();
    List<MemberProcess> members =
        List.of(
            cluster.launch("me1", "w0", EngineCluster.FAULTS_ON),
            cluster.launch("me1", "w1", EngineCluster.FAULTS_ON));
    MemberProcess active = EngineCluster.awaitActive(members, Duration.ofSeconds(60));
    MemberProcess standby = members.get(members.get(0) == active ? 1 : 0);
    EngineCluster.awaitState(standby, "STANDBY", Duration.ofSeconds(60));

    List<String> urls = members.stream().map(MemberProcess::url).toList();
    LoadRunner load = EngineCluster.assuredLoad("orders", urls).start(4, 2, Duration.ofMillis(2));
    Integer exit;
    try {
      Thread.sleep(1500);
      assertThat(EngineCluster.client(active).post("/api/v1/test/faults/writer-error", null))
          .extracting(EngineClient.Reply::status)
          .isEqualTo(202);
      exit = active.waitFor(Duration.ofSeconds(30));
      int atExit = load.acknowledgedCount();
      EngineCluster.awaitState(standby, "ACTIVE", Duration.ofSeconds(30));
      long deadline = System.currentTimeMillis() + 30_000;
      while (load.acknowledgedCount() <= atExit + 100 && System.currentTimeMillis() < deadline) {
        Thread.sleep(50);
      }
    } catch (Exception | AssertionError e) {
      load.close();
      throw e;
    }
    DeliveryLedger.Report report = load.finish(Duration.ofSeconds(60));
    System.out.printf("FailoverIT (writer ended by an Error): %s%n", report);

    assertThat(exit).as("exit code of the member whose writer ended").isEqualTo(10);
    assertThat(active.terminationMessage())
        .contains("SIBUS0052E")
        .contains("group-commit writer")
        .contains("an Error injected as a test fault");
    assertThat(report.acknowledged()).isGreaterThan(200);
    assertThat(report.lost()).as("lost").isEmpty();
    assertThat(report.duplicated()).as("duplicated").isEmpty();
    assertThat(report.unexpected()).as("unexpected").isEmpty();
  }
}
