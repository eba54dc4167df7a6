package io.sibus.engine.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.sibus.local.DeliveryLedger;
import io.sibus.local.EngineClient;
import io.sibus.local.EngineClient.Outgoing;
import io.sibus.local.EngineClient.Reply;
import io.sibus.local.LoadRunner;
import io.sibus.local.MemberProcess;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The database stops and starts again under assured load. With failover-on-connection-loss the
 * members exit with a local error and are restarted (as a kubelet would); without it the member
 * waits, refusing persistent messages. Either way nothing acknowledged is lost or duplicated.
 */
class DatabaseOutageIT {
  @RegisterExtension static final ClusterExtension CLUSTER = new ClusterExtension("outage");

  @Test
  void withFailoverOnConnectionLossMembersExitWithALocalErrorAndComeBack() throws Exception {
    EngineCluster cluster = CLUSTER.get();
    List<MemberProcess> members = new CopyOnWriteArrayList<>();
    members.add(cluster.launch("me1", "m0"));
    members.add(cluster.launch("me1", "m1"));
    EngineCluster.awaitActive(members, Duration.ofSeconds(60));
    List<String> urls =
        new CopyOnWriteArrayList<>(members.stream().map(MemberProcess::url).toList());
    LoadRunner load = EngineCluster.assuredLoad("orders", urls).start(3, 1, Duration.ofMillis(5));
    Thread.sleep(1500);

    cluster.postgres().stop();
    List<String> terminations = new ArrayList<>();
    List<Integer> exitCodes = new ArrayList<>();
    for (int i = 0; i < members.size(); i++) {
      MemberProcess m = members.get(i);
      Integer exit = m.waitFor(Duration.ofSeconds(30));
      if (exit != null) { // the standby may live on: it holds no connection that matters
        exitCodes.add(exit);
        terminations.add(m.terminationMessage());
        MemberProcess again = cluster.launch("me1", m.name() + "-restarted"); // as a kubelet would
        members.set(i, again);
        urls.set(i, again.url());
      }
    }
    Thread.sleep(2000);
    cluster.postgres().restart();
    EngineCluster.awaitActive(members, Duration.ofSeconds(60));
    int acknowledgedAtRestart = load.acknowledgedCount();
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> load.acknowledgedCount() > acknowledgedAtRestart + 50);
    DeliveryLedger.Report report = load.finish(Duration.ofSeconds(60));
    System.out.printf(
        "DatabaseOutageIT (failover on connection loss): %s; exit codes %s%n", report, exitCodes);

    assertThat(exitCodes).isNotEmpty().allMatch(code -> code == 10);
    assertThat(terminations)
        .allMatch(t -> t.contains("\"class\":\"LOCAL\"") && t.contains("SIBUS0052E"));
    assertThat(report.lost()).as("lost").isEmpty();
    assertThat(report.duplicated()).as("duplicated").isEmpty();
  }

  @Test
  void withoutFailoverOnConnectionLossTheMemberWaitsAndRefusesPersistentWork() throws Exception {
    EngineCluster cluster = CLUSTER.get();
    MemberProcess m0 =
        cluster.launch("me1", "m0", Map.of("sibus.datastore.failover-on-connection-loss", "false"));
    EngineCluster.awaitState(m0, "ACTIVE", Duration.ofSeconds(60));
    EngineClient client = EngineCluster.client(m0);
    List<String> urls = List.of(m0.url());
    LoadRunner load = EngineCluster.assuredLoad("orders", urls).start(3, 1, Duration.ofMillis(5));
    List<String> held = receiveHeldBatch(client);
    Thread.sleep(1500);

    cluster.postgres().stop();
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> !client.engine().json().get("storeAvailable").asBoolean());
    // A batch acknowledgement the store cannot take acknowledges none of its persistent messages;
    // the nonpersistent one, held in memory, is acknowledged at once.
    assertThat(client.acknowledgeAll("events", held).status()).isEqualTo(503);
    Reply refused = client.send("orders", new Outgoing("while the database is down"));
    assertThat(refused.status()).isEqualTo(503);
    assertThat(refused.text("code")).isEqualTo("SIBUS0207E");
    Reply nonpersistent =
        client.send("events", new Outgoing("kept in memory").reliability("EXPRESS_NONPERSISTENT"));
    assertThat(nonpersistent.status()).isEqualTo(201);
    JsonLastError lastError = JsonLastError.of(client.engine());
    assertThat(lastError.errorClass).isEqualTo("RECOVERABLE");
    assertThat(lastError.code).isEqualTo("SIBUS0051W");
    assertThat(client.health("ready")).isEqualTo(503);
    assertThat(client.health("live")).isEqualTo(200);

    Thread.sleep(2000);
    cluster.postgres().restart();
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> client.engine().json().get("storeAvailable").asBoolean());
    assertThat(m0.reportedState()).isEqualTo("ACTIVE");
    Reply again = client.acknowledgeAll("events", held);
    assertThat(again.status()).as(again.toString()).isEqualTo(200);
    assertThat(again.json().get("acknowledged").asInt()).isEqualTo(3);
    assertThat(again.json().get("gone")).extracting(JsonNode::asText).containsExactly(held.get(3));
    int acknowledgedAtRestart = load.acknowledgedCount();
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> load.acknowledgedCount() > acknowledgedAtRestart + 50);
    DeliveryLedger.Report report = load.finish(Duration.ofSeconds(60));
    System.out.printf("DatabaseOutageIT (wait): %s%n", report);
    assertThat(m0.alive()).isTrue();
    assertThat(report.lost()).as("lost").isEmpty();
    assertThat(report.duplicated()).as("duplicated").isEmpty();
  }

  /**
   * A destination removed from the bus file while the database is down: the move of its messages to
   * the exception destination fails then, and once the database is back they are moved. Before, the
   * member reloaded them under the removed destination, where nothing reached them until the next
   * activation.
   */
  @Test
  void messagesOfADestinationRemovedDuringTheOutageGoToTheExceptionDestinationAfterIt()
      throws Exception {
    EngineCluster cluster = CLUSTER.get();
    String kept = "  - {name: orders, localizedOn: me1}\n";
    cluster.writeBusFile(busFile(kept + "  - {name: audit, localizedOn: me1}\n"));
    MemberProcess m0 =
        cluster.launch("me1", "m0", Map.of("sibus.datastore.failover-on-connection-loss", "false"));
    EngineCluster.awaitState(m0, "ACTIVE", Duration.ofSeconds(60));
    EngineClient client = EngineCluster.client(m0);
    for (int i = 0; i < 5; i++) {
      Reply sent =
          client.send("audit", new Outgoing("audit " + i).reliability("ASSURED_PERSISTENT"));
      assertThat(sent.status()).as(sent.toString()).isEqualTo(201);
    }

    cluster.postgres().stop();
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> !client.engine().json().get("storeAvailable").asBoolean());
    cluster.writeBusFile(busFile(kept));
    await().atMost(Duration.ofSeconds(30)).until(() -> m0.log().contains("SIBUS0300I"));
    cluster.postgres().restart();
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> client.engine().json().get("storeAvailable").asBoolean());

    await().atMost(Duration.ofSeconds(30)).until(() -> client.depth("_SYSTEM.Exception.me1") == 5);
    JsonNode moved = client.receive("_SYSTEM.Exception.me1", 10, 1_000, 30_000).json();
    assertThat(moved.get("messages"))
        .hasSize(5)
        .allMatch(
            m -> m.get("properties").get("sibus.exception.destination").asText().equals("audit"));
  }

  private static String busFile(String destinations) {
    return "bus: itbus\nengines:\n  - name: me1\ndestinations:\n" + destinations;
  }

  /**
   * Sends three assured persistent messages and one nonpersistent one to {@code events} and
   * receives them, locked for two minutes: the receipts, the nonpersistent one last.
   */
  private static List<String> receiveHeldBatch(EngineClient client) throws Exception {
    for (int i = 0; i < 3; i++) {
      assertThat(
              client
                  .send("events", new Outgoing("held " + i).reliability("ASSURED_PERSISTENT"))
                  .status())
          .isEqualTo(201);
    }
    client.send("events", new Outgoing("held in memory").reliability("EXPRESS_NONPERSISTENT"));
    List<String> persistent = new ArrayList<>();
    List<String> memory = new ArrayList<>();
    for (JsonNode m : client.receive("events", 10, 1_000, 120_000).json().get("messages")) {
      boolean inMemory = m.get("reliability").asText().equals("EXPRESS_NONPERSISTENT");
      (inMemory ? memory : persistent).add(m.get("receipt").asText());
    }
    assertThat(persistent).hasSize(3);
    assertThat(memory).hasSize(1);
    persistent.addAll(memory);
    return persistent;
  }

  /** The lastError of GET /api/v1/engine. */
  record JsonLastError(String errorClass, String code) {
    static JsonLastError of(Reply engine) {
      var error = engine.json().get("lastError");
      return new JsonLastError(error.get("class").asText(), error.get("code").asText());
    }
  }
}
