package io.sibus.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.sibus.crds.v1alpha1.MessagingEngine;
import io.sibus.local.DeliveryLedger;
import io.sibus.local.EngineClient;
import io.sibus.local.EngineClient.Outgoing;
import io.sibus.local.EngineClient.Reply;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.MethodOrderer.OrderAnnotation;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The errors that must not fail over (a global error) and the ones that must wait for a person (a
 * database away for longer than the start-up timeout), on the cluster, with every message counted.
 */
@TestMethodOrder(OrderAnnotation.class)
class FailureE2E extends SampleBusTestBase {

  @Test
  @Order(3)
  void aGlobalErrorSuppressesFailoverWithoutRestartLoopsUntilCleared() throws Exception {
    EngineClient me1 = new EngineClient(me1Url);
    DeliveryLedger ledger = new DeliveryLedger();
    sendCounted(ledger, me1, "orders", "good");
    Reply bad = me1.send("orders", new Outgoing("will be damaged").priority(9));
    assertThat(bad.ok()).isTrue();
    try (Connection c = database();
        PreparedStatement s =
            c.prepareStatement(
                "UPDATE sibus_me1.sibus_message SET body = convert_to('tampered', 'UTF8')"
                    + " WHERE message_id = ?")) {
      s.setString(1, bad.text("messageId"));
      assertThat(s.executeUpdate()).isEqualTo(1);
    }
    String active = status("me1").getActiveMember();
    Reply receive = me1.receive("orders", 1, 0, 30_000);
    assertThat(receive.status()).as("receive of the damaged message: " + receive).isEqualTo(503);
    assertThat(receive.text("code")).isEqualTo("SIBUS0050E");
    await("GlobalError and FailoverSuppressed on me1")
        .atMost(PATIENCE)
        .until(() -> condition("me1", "GlobalError") && condition("me1", "FailoverSuppressed"));
    Map<String, Integer> restarts = restarts("me1");
    Map<String, String> uids = uids("me1");
    Thread.sleep(10_000);
    assertThat(status("me1").getActiveMember()).as("no member active").isNull();
    assertThat(restarts("me1")).as("no restart loop").isEqualTo(restarts);
    assertThat(uids("me1")).as("the pods stay").isEqualTo(uids);
    assertThat(status("me1").getPhase()).isEqualTo("GlobalError");

    // A person repairs the store (the damaged message goes) and clears the error.
    try (Connection c = database();
        PreparedStatement s =
            c.prepareStatement("DELETE FROM sibus_me1.sibus_message WHERE message_id = ?")) {
      s.setString(1, bad.text("messageId"));
      assertThat(s.executeUpdate()).isEqualTo(1);
    }
    annotate("me1", MessagingEngine.CLEAR_GLOBAL_ERROR);
    awaitReady("me1");
    assertThat(condition("me1", "FailoverSuppressed")).isFalse();
    receiveAll(ledger, new EngineClient(me1Url), "orders", 1);
    DeliveryLedger.Report report = ledger.report();
    System.out.println(
        "FailureE2E global error: was active "
            + active
            + ", now "
            + status("me1").getActiveMember()
            + "; "
            + report);
    assertThat(report.lost()).as("lost").isEmpty();
    assertThat(report.duplicated()).as("duplicated").isEmpty();
  }

  @Test
  @Order(4)
  void membersStartingWhileTheDatabaseIsAwayAreDisabledUntilReenabled() throws Exception {
    EngineClient me2 = new EngineClient(me2Url);
    DeliveryLedger ledger = new DeliveryLedger();
    for (int i = 0; i < 5; i++) {
      sendCounted(ledger, me2, "shipments", "before-outage-" + i);
    }
    mergePatch("me2", "{\"spec\":{\"dataStore\":{\"startupTimeout\":\"8s\"}}}");
    scaleDatabase(0);
    await("the database pod gone")
        .atMost(PATIENCE)
        .until(() -> client.pods().inNamespace(NS).withName("postgres-0").get() == null);
    // The members start again (new pods, with the short start-up timeout) while it is away.
    client.pods().inNamespace(NS).withLabel("sibus.io/engine", "me2").delete();
    await("me2 members DISABLED")
        .atMost(PATIENCE)
        .pollInterval(Duration.ofMillis(500))
        .until(() -> "Disabled".equals(status("me2").getPhase()));
    assertThat(
            status("me2").getConditions().stream()
                .filter(c -> c.getType().equals("DataStoreReady"))
                .findFirst()
                .orElseThrow()
                .getReason())
        .isEqualTo("MembersDisabled");

    scaleDatabase(1);
    await("the database pod ready").atMost(PATIENCE).until(() -> podReady("postgres-0"));
    Thread.sleep(3000);
    assertThat(status("me2").getPhase())
        .as("disabled members wait for a person")
        .isEqualTo("Disabled");
    annotate("me2", MessagingEngine.REENABLE_MEMBERS);
    awaitReady("me2");
    receiveAll(ledger, new EngineClient(me2Url), "shipments", 5);
    DeliveryLedger.Report report = ledger.report();
    System.out.println("FailureE2E database outage at start: " + report);
    assertThat(report.lost()).as("lost").isEmpty();
    assertThat(report.duplicated()).as("duplicated").isEmpty();
  }

  private void scaleDatabase(int replicas) {
    client
        .apps()
        .statefulSets()
        .inNamespace(NS)
        .withName("postgres")
        .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\":{\"replicas\":" + replicas + "}}");
  }

  private boolean podReady(String name) {
    Pod pod = client.pods().inNamespace(NS).withName(name).get();
    return pod != null
        && pod.getStatus() != null
        && pod.getStatus().getConditions().stream()
            .anyMatch(c -> c.getType().equals("Ready") && c.getStatus().equals("True"));
  }

  private List<Pod> members(String engine) {
    return client.pods().inNamespace(NS).withLabel("sibus.io/engine", engine).list().getItems();
  }

  private Map<String, Integer> restarts(String engine) {
    return members(engine).stream()
        .collect(
            Collectors.toMap(
                p -> p.getMetadata().getName(),
                p ->
                    p.getStatus().getContainerStatuses().isEmpty()
                        ? 0
                        : p.getStatus().getContainerStatuses().get(0).getRestartCount()));
  }

  private Map<String, String> uids(String engine) {
    return members(engine).stream()
        .collect(Collectors.toMap(p -> p.getMetadata().getName(), p -> p.getMetadata().getUid()));
  }
}
