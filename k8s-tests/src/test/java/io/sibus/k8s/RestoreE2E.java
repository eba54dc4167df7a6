package io.sibus.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sibus.crds.v1alpha1.MessagingEngine;
import io.sibus.crds.v1alpha1.MessagingEngineSpec.InitialState;
import io.sibus.crds.v1alpha1.TokenActionStatus;
import io.sibus.datastore.SchemaName;
import io.sibus.datastore.StoreBackup;
import io.sibus.local.DeliveryLedger;
import io.sibus.local.EngineClient;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.sql.Connection;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The seeds' scenario on the cluster: engine me1 sends to the queue on me2; me1's data store is
 * copied (the backup); me1 sends more, which me2 receives; me1 is stopped and its store restored
 * from the copy; {@code sibus.io/restart-after-restore} restarts it, the operator carries the
 * restart out and reports {@code Completed}; messages after it: lost 0, duplicated 0.
 */
class RestoreE2E extends SampleBusTestBase {
  private static final SchemaName ME1 = new SchemaName("sibus_me1");

  @Test
  void restartAfterRestoreThroughTheAnnotationLosesAndDuplicatesNothing() throws Exception {
    EngineClient me1 = new EngineClient(me1Url);
    EngineClient me2 = new EngineClient(me2Url);
    DeliveryLedger before = new DeliveryLedger();
    for (int i = 0; i < 20; i++) {
      sendCounted(before, me1, "shipments", "pre-backup-" + i);
    }
    receiveAll(before, me2, "shipments", 20);

    Map<String, byte[]> backup = new HashMap<>();
    try (Connection c = database()) {
      new StoreBackup(ME1)
          .export(
              c,
              table ->
                  new ByteArrayOutputStream() {
                    @Override
                    public void close() {
                      backup.put(table.name(), toByteArray());
                    }
                  });
    }
    for (int i = 0; i < 20; i++) {
      sendCounted(before, me1, "shipments", "post-backup-" + i);
    }
    receiveAll(before, me2, "shipments", 20);

    setInitialState("me1", InitialState.Stopped);
    // The phase says Stopped once asked; the members' states, once they have stopped.
    await("me1 stopped")
        .atMost(PATIENCE)
        .until(
            () ->
                "Stopped".equals(status("me1").getPhase())
                    && status("me1").getMembers().stream()
                        .allMatch(m -> "STOPPED".equals(m.getState())));
    try (Connection c = database()) {
      new StoreBackup(ME1)
          .restore(
              c,
              table -> new ByteArrayInputStream(backup.get(table.name())),
              Set.of("orders"),
              "_SYSTEM.Exception.me1",
              false);
    }
    mergePatch(
        "me1",
        "{\"metadata\":{\"annotations\":{\""
            + MessagingEngine.RESTART_AFTER_RESTORE
            + "\":\"e2e-restore-1\"}},\"spec\":{\"initialState\":\"Started\"}}");
    await("restart after restore Completed")
        .atMost(PATIENCE)
        .pollInterval(Duration.ofMillis(500))
        .until(
            () -> {
              TokenActionStatus rar = status("me1").getRestartAfterRestore();
              return rar != null && "Completed".equals(rar.getPhase());
            });
    awaitReady("me1");

    DeliveryLedger after = new DeliveryLedger();
    EngineClient restored = new EngineClient(me1Url);
    for (int i = 0; i < 20; i++) {
      sendCounted(after, restored, "shipments", "after-restore-" + i);
    }
    // Everything that arrives now is counted: new messages, and any resent old one (a duplicate).
    receiveAll(after, me2, "shipments", 20);
    Thread.sleep(3000);
    var late = me2.receive("shipments", 100, 1000, 30_000);
    int resentOld = late.json().path("messages").size();
    DeliveryLedger.Report report = after.report();
    System.out.println(
        "RestoreE2E: before the restore "
            + before.report()
            + "; after it "
            + report
            + "; old messages delivered again: "
            + resentOld
            + "; "
            + status("me1").getRestartAfterRestore().getMessage());
    assertThat(before.report().lost()).isEmpty();
    assertThat(report.lost()).as("new messages lost").isEmpty();
    assertThat(report.duplicated()).as("new messages duplicated").isEmpty();
    assertThat(resentOld).as("pre-restore messages delivered twice (dedupWindow 24h)").isZero();
  }
}
