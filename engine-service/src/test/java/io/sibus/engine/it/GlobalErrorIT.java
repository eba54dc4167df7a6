package io.sibus.engine.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.sibus.local.EngineClient;
import io.sibus.local.EngineClient.Outgoing;
import io.sibus.local.EngineClient.Reply;
import io.sibus.local.MemberProcess;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Global errors: a corrupted data store stops processing, keeps the member alive (liveness UP,
 * readiness DOWN) and is never failed over, even when the member that found it dies.
 */
class GlobalErrorIT {
  @RegisterExtension static final ClusterExtension CLUSTER = new ClusterExtension("global");

  @Test
  void aStoreOwnedByAnotherEngineIsRefusedByEveryMember() throws Exception {
    EngineCluster cluster = CLUSTER.get();
    MemberProcess intruder =
        cluster.launch("me2", "me2-0", Map.of("sibus.datastore.schema", "sibus_me1"));
    EngineCluster.awaitState(intruder, "ACTIVE", Duration.ofSeconds(60));
    intruder.kill();

    MemberProcess first = cluster.launch("me1", "m0");
    EngineCluster.awaitState(first, "GLOBAL_ERROR", Duration.ofSeconds(60));
    MemberProcess second = cluster.launch("me1", "m1");
    EngineCluster.awaitState(second, "STANDBY", Duration.ofSeconds(60));

    Reply engine = EngineCluster.client(first).engine();
    assertThat(engine.json().get("lastError").get("code").asText()).isEqualTo("SIBUS1535E");
    assertThat(engine.json().get("lastError").get("class").asText()).isEqualTo("GLOBAL");
    assertThat(engine.json().get("lastError").get("userAction").asText()).contains("sibus ddl");
    assertAliveButNotReady(first);
    assertThat(first.log()).contains("SIBUS0050E");

    // The member with the global error dies: the standby meets the same fault, it never serves.
    first.kill();
    EngineCluster.awaitState(second, "GLOBAL_ERROR", Duration.ofSeconds(30));
    assertThat(EngineCluster.client(second).send("orders", new Outgoing("x")).status())
        .isEqualTo(503);
  }

  @Test
  void aCorruptedMessageStopsProcessingAndSuppressesFailoverUntilCleared() throws Exception {
    EngineCluster cluster = CLUSTER.get();
    MemberProcess m0 = cluster.launch("me1", "m0");
    EngineCluster.awaitState(m0, "ACTIVE", Duration.ofSeconds(60));
    MemberProcess m1 = cluster.launch("me1", "m1");
    EngineCluster.awaitState(m1, "STANDBY", Duration.ofSeconds(60));
    EngineClient active = EngineCluster.client(m0);
    String good = active.send("orders", new Outgoing("good").priority(1)).text("messageId");
    String bad =
        active.send("orders", new Outgoing("will be damaged").priority(9)).text("messageId");
    sql(
        "UPDATE sibus_me1.sibus_message SET body = convert_to('tampered', 'UTF8')"
            + " WHERE message_id = '"
            + bad
            + "'");

    Reply receive = active.receive("orders", 1, 0, 30_000);
    assertThat(receive.status()).isEqualTo(503);
    assertThat(receive.text("code")).isEqualTo("SIBUS0050E");
    EngineCluster.awaitState(m0, "GLOBAL_ERROR", Duration.ofSeconds(10));
    assertThat(active.engine().json().get("lastError").get("code").asText())
        .isEqualTo("SIBUS1539E");
    assertAliveButNotReady(m0);
    await(() -> EngineCluster.client(m1).engine().json().get("failoverSuppressed").asBoolean());

    // Even when the member that found the fault dies, the standby does not take over.
    m0.kill();
    Thread.sleep(3000);
    assertThat(m1.reportedState()).isEqualTo("STANDBY");
    assertThat(EngineCluster.client(m1).send("orders", new Outgoing("x")).status()).isEqualTo(503);

    // A person removes the damaged message and starts the engine: the standby takes over.
    sql("DELETE FROM sibus_me1.sibus_message WHERE message_id = '" + bad + "'");
    assertThat(EngineCluster.client(m1).start("NORMAL").status()).isEqualTo(202);
    EngineCluster.awaitState(m1, "ACTIVE", Duration.ofSeconds(30));
    Reply after = EngineCluster.client(m1).receive("orders", 10, 1000, 30_000);
    assertThat(after.json().get("messages").findValuesAsText("messageId")).containsExactly(good);
  }

  @Test
  void aDroppedColumnIsAGlobalErrorForTheActiveAndForEveryNewMember() throws Exception {
    EngineCluster cluster = CLUSTER.get();
    MemberProcess m0 = cluster.launch("me1", "m0");
    EngineCluster.awaitState(m0, "ACTIVE", Duration.ofSeconds(60));
    sql("ALTER TABLE sibus_me1.sibus_message DROP COLUMN correlation_id");
    Reply send = EngineCluster.client(m0).send("orders", new Outgoing("x"));
    assertThat(send.status()).isEqualTo(503);
    EngineCluster.awaitState(m0, "GLOBAL_ERROR", Duration.ofSeconds(10));
    assertThat(EngineCluster.client(m0).engine().json().get("lastError").get("code").asText())
        .isEqualTo("SIBUS1537E");
    assertAliveButNotReady(m0);
    m0.kill();

    MemberProcess fresh = cluster.launch("me1", "m1");
    await(
        () ->
            List.of("GLOBAL_ERROR", "STANDBY").contains(fresh.reportedState())
                && EngineCluster.client(fresh)
                    .engine()
                    .json()
                    .get("failoverSuppressed")
                    .asBoolean());
    Thread.sleep(2000);
    assertThat(fresh.reportedState()).isNotEqualTo("ACTIVE");
  }

  private static void assertAliveButNotReady(MemberProcess member) {
    EngineClient client = EngineCluster.client(member);
    assertThat(member.alive()).isTrue();
    assertThat(client.health("live")).isEqualTo(200);
    assertThat(client.health("ready")).isEqualTo(503);
  }

  private static void sql(String statement) throws Exception {
    try (Connection c = CLUSTER.get().postgres().connect();
        Statement s = c.createStatement()) {
      s.execute(statement);
    }
  }

  private static void await(java.util.concurrent.Callable<Boolean> condition) {
    org.awaitility.Awaitility.await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(100))
        .ignoreExceptions()
        .until(condition);
  }
}
