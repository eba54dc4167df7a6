package io.sibus.engine.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.sibus.local.DeliveryLedger;
import io.sibus.local.LoadRunner;
import io.sibus.local.MemberProcess;
import io.sibus.local.MemberSetClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * kill -9 of the active member under concurrent assured sends, five times in a row: every
 * acknowledged message is received, none is consumed twice, and a standby takes over each time.
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
    LoadRunner load =
        new LoadRunner(
                "orders",
                "ASSURED_PERSISTENT",
                () -> new MemberSetClient(urls, null),
                () -> new MemberSetClient(urls, null))
            .start(4, 2, Duration.ofMillis(2));
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
}
