package io.sibus.engine.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sibus.datastore.SchemaName;
import io.sibus.datastore.StoreTables;
import io.sibus.datastore.Table;
import io.sibus.datastore.TableUpkeep;
import io.sibus.local.EngineClient;
import io.sibus.local.EngineClient.Outgoing;
import io.sibus.local.EngineClient.Reply;
import io.sibus.local.MemberProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The data store life cycle at start: tables, start-up timeout, initial state, start modes. */
class StartupIT {
  @RegisterExtension static final ClusterExtension CLUSTER = new ClusterExtension("startup");

  /**
   * At least this many classes of a start come from the build's archive for each from a jar: 4,556
   * against 1,214 here (classes loaded but never linked are not archived). Quarkus's own archive,
   * of static initialisation only, held fewer than the jars gave.
   */
  private static final int FROM_ARCHIVE_PER_JAR_CLASS = 2;

  @Test
  void withoutCreateTablesTheStartIsRefusedUntilTheDdlIsApplied() throws Exception {
    MemberProcess m0 =
        CLUSTER.get().launch("me1", "m0", Map.of("sibus.datastore.create-tables", "false"));
    EngineCluster.awaitState(m0, "GLOBAL_ERROR", Duration.ofSeconds(60));
    Reply engine = EngineCluster.client(m0).engine();
    assertThat(engine.json().get("lastError").get("code").asText()).isEqualTo("SIBUS1536E");
    assertThat(engine.json().get("lastError").get("userAction").asText())
        .contains("sibus ddl --schema sibus_me1");

    // What 'sibus ddl --schema sibus_me1' prints, run by the database administrator.
    try (Connection c = CLUSTER.get().postgres().connect();
        Statement s = c.createStatement()) {
      s.execute(StoreTables.script(StoreTables.createStatements(new SchemaName("sibus_me1"))));
    }
    assertThat(EngineCluster.client(m0).start("NORMAL").status()).isEqualTo(202);
    EngineCluster.awaitState(m0, "ACTIVE", Duration.ofSeconds(30));
    assertThat(EngineCluster.client(m0).send("orders", new Outgoing("x")).status()).isEqualTo(201);
    assertThat(m0.log()).doesNotContain("SIBUS1540I"); // the engine created nothing itself
  }

  @Test
  void queueTablesOfAStoreFromAnOlderDdlGetTheirStorageOptions() throws Exception {
    SchemaName schema = new SchemaName("sibus_me1");
    try (Connection c = CLUSTER.get().postgres().connect();
        Statement s = c.createStatement()) {
      s.execute(StoreTables.script(StoreTables.createStatements(schema)));
      for (Table queue : StoreTables.QUEUES) {
        s.execute(
            "ALTER TABLE " + schema.qualify(queue.name()) + " RESET (vacuum_truncate, fillfactor)");
      }
    }
    MemberProcess m0 = CLUSTER.get().launch("me1", "m0");
    EngineCluster.awaitState(m0, "ACTIVE", Duration.ofSeconds(60));
    TableUpkeep upkeep = new TableUpkeep(schema);
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () -> {
              try (Connection c = CLUSTER.get().postgres().connect()) {
                return upkeep.hasStorageOptions(c, StoreTables.MESSAGE)
                    && upkeep.hasStorageOptions(c, StoreTables.TRANSMIT);
              }
            });
  }

  @Test
  void anUnreachableDatabaseDisablesTheMemberAfterTheStartupTimeout() throws Exception {
    CLUSTER.get().postgres().stop();
    MemberProcess m0 =
        CLUSTER.get().launch("me1", "m0", Map.of("sibus.datastore.startup-timeout", "3s"));
    EngineCluster.awaitState(m0, "DISABLED", Duration.ofSeconds(60));
    EngineClient client = EngineCluster.client(m0);
    assertThat(client.engine().json().get("lastError").get("code").asText())
        .isEqualTo("SIBUS0039E");
    assertThat(m0.log()).contains("SIBUS0039E");
    assertThat(client.health("live")).isEqualTo(200);
    assertThat(client.health("ready")).isEqualTo(503);
    assertThat(m0.alive()).isTrue();

    // Disabled stays disabled until re-enabled, even when the database is back.
    CLUSTER.get().postgres().restart();
    Thread.sleep(1500);
    assertThat(m0.reportedState()).isEqualTo("DISABLED");
    assertThat(client.start("NORMAL").status()).isEqualTo(202);
    EngineCluster.awaitState(m0, "ACTIVE", Duration.ofSeconds(30));
  }

  @Test
  void aMemberWaitsForTheDatabaseWithinTheStartupTimeout() throws Exception {
    CLUSTER.get().postgres().stop();
    MemberProcess m0 = CLUSTER.get().launch("me1", "m0");
    EngineCluster.awaitState(m0, "STARTING", Duration.ofSeconds(60));
    Thread.sleep(1500);
    CLUSTER.get().postgres().restart();
    EngineCluster.awaitState(m0, "ACTIVE", Duration.ofSeconds(30));
    assertThat(m0.log()).contains("SIBUS0040W");
  }

  @Test
  void initialStateStoppedWaitsForTheAdminStart() throws Exception {
    MemberProcess m0 =
        CLUSTER.get().launch("me1", "m0", Map.of("sibus.engine.initial-state", "STOPPED"));
    EngineCluster.awaitState(m0, "STOPPED", Duration.ofSeconds(60));
    EngineClient client = EngineCluster.client(m0);
    Thread.sleep(1000);
    assertThat(m0.reportedState()).isEqualTo("STOPPED");
    Reply refused = client.send("orders", new Outgoing("x"));
    assertThat(refused.status()).isEqualTo(503);
    assertThat(refused.text("state")).isEqualTo("STOPPED");
    assertThat(refused.retryAfter()).isEqualTo("1");
    // The receive and the acknowledgement, served outside the REST layer too, say the same.
    for (Reply notServing :
        new Reply[] {
          client.receive("orders", 1, 0, 1000),
          client.acknowledgeAll("orders", List.of(UUID.randomUUID().toString()))
        }) {
      assertThat(notServing.status()).as(notServing.toString()).isEqualTo(503);
      assertThat(notServing.text("code")).isEqualTo(refused.text("code"));
      assertThat(notServing.retryAfter()).isEqualTo("1");
    }

    assertThat(client.start("NORMAL").status()).isEqualTo(202);
    EngineCluster.awaitState(m0, "ACTIVE", Duration.ofSeconds(30));
    assertThat(client.send("orders", new Outgoing("x")).status()).isEqualTo(201);
    assertThat(client.stop().status()).isEqualTo(202);
    EngineCluster.awaitState(m0, "STOPPED", Duration.ofSeconds(30));
    assertThat(client.start("NORMAL").status()).isEqualTo(202);
    EngineCluster.awaitState(m0, "ACTIVE", Duration.ofSeconds(30));
    assertThat(client.receive("orders", 5, 1000, 1000).json().get("messages")).hasSize(1);
  }

  @Test
  void aRecoveryStartResolvesInDoubtWorkVerifiesTheStoreAndStops() throws Exception {
    MemberProcess m0 = CLUSTER.get().launch("me1", "m0");
    EngineCluster.awaitState(m0, "ACTIVE", Duration.ofSeconds(60));
    EngineClient client = EngineCluster.client(m0);
    for (int i = 0; i < 3; i++) {
      client.send("orders", new Outgoing("keep " + i));
    }
    assertThat(client.receive("orders", 1, 0, 400).json().get("messages")).hasSize(1); // in doubt
    client.send("orders", new Outgoing("expiring").timeToLive(300));
    m0.kill();
    Thread.sleep(700); // the lock and the time to live both pass while the engine is down

    MemberProcess recovery =
        CLUSTER.get().launch("me1", "m1", Map.of("sibus.engine.start-mode", "RECOVERY"));
    await().atMost(Duration.ofSeconds(60)).until(() -> recovery.log().contains("SIBUS0790I"));
    EngineCluster.awaitState(recovery, "STOPPED", Duration.ofSeconds(30));
    assertThat(recovery.log())
        .contains("released 1 expired receipt lock(s)")
        .contains("deleted 1 expired message(s)")
        .contains("verified 3 stored message(s)");
    EngineClient after = EngineCluster.client(recovery);
    assertThat(after.engine().json().get("startMode").asText()).isEqualTo("RECOVERY");
    assertThat(after.start("NORMAL").status()).isEqualTo(202);
    EngineCluster.awaitState(recovery, "ACTIVE", Duration.ofSeconds(30));
    assertThat(after.destination("orders").json().get("depth").asInt()).isEqualTo(3);
  }

  @Test
  void aRestartAfterRestoreStartIsAcceptedAndLogged() {
    MemberProcess m0 =
        CLUSTER
            .get()
            .launch("me1", "m0", Map.of("sibus.engine.start-mode", "RESTART_AFTER_RESTORE"));
    EngineCluster.awaitState(m0, "ACTIVE", Duration.ofSeconds(60));
    assertThat(m0.log())
        .contains("SIBUS0780I")
        .contains(
            "SIBUS0783I Messaging engine me1 started, flush of all delivery streams completed.");
  }

  @Test
  void aMemberLoadsTheClassesOfItsStartFromTheArchiveThatTheBuildWrote() throws Exception {
    assertThat(Path.of("target", "quarkus-app", "app-cds.jsa")).isRegularFile();
    Path classLog = CLUSTER.get().work().resolve("m0-classes.log");
    MemberProcess m0 =
        CLUSTER
            .get()
            .launch("me1", "m0", 0, Map.of(), List.of("-Xlog:class+load=info:file=" + classLog));
    EngineCluster.awaitState(m0, "ACTIVE", Duration.ofSeconds(60));
    assertThat(EngineCluster.client(m0).send("orders", new Outgoing("x")).status()).isEqualTo(201);

    List<String> loaded = Files.readAllLines(classLog);
    long fromArchive =
        loaded.stream().filter(l -> l.contains("source: shared objects file (top)")).count();
    long fromJars = loaded.stream().filter(l -> l.contains("source: file:")).count();
    // A JVM that rejected the archive (another class path, another JDK) loads them all from the
    // jars.
    assertThat(fromJars).as("classes from the jars").isPositive();
    assertThat(fromArchive).isGreaterThan(FROM_ARCHIVE_PER_JAR_CLASS * fromJars);
  }

  @Test
  void anUnsafeSchemaNameIsRefusedAtStart() {
    MemberProcess m0 =
        CLUSTER.get().launch("me1", "m0", Map.of("sibus.datastore.schema", "orders; DROP TABLE x"));
    Integer exit = m0.waitFor(Duration.ofSeconds(60));
    assertThat(exit).isNotNull().isNotZero();
    assertThat(m0.log()).contains("sibus.datastore.schema").contains("not a safe SQL identifier");
  }
}
