package io.sibus.cli.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.sibus.cli.ArchiveDamage;
import io.sibus.cli.SibusCommand;
import io.sibus.local.DeliveryLedger;
import io.sibus.local.EngineClient;
import io.sibus.local.EngineClient.Outgoing;
import io.sibus.local.LoadRunner;
import io.sibus.local.LocalPostgres;
import io.sibus.local.MemberProcess;
import io.sibus.local.MemberSetClient;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Backup and restore of a standalone bus of two engines (real PostgreSQL, engines as processes),
 * every message counted.
 */
class BackupRestoreIT {
  static final String DESTINATIONS =
      "  - {name: orders, localizedOn: me1}\n  - {name: shipments, localizedOn: me2}\n";

  Path work;
  LocalPostgres postgres;
  Path busFile;
  Path backups;
  int pa;
  int pb;
  final List<MemberProcess> members = new ArrayList<>();
  MemberProcess a;
  MemberProcess b;

  @BeforeEach
  void start() throws Exception {
    work =
        Files.createTempDirectory(Files.createDirectories(Path.of("target", "it")), "backup-")
            .toAbsolutePath();
    postgres = LocalPostgres.start(work.resolve("pg"));
    busFile = work.resolve("bus.yaml");
    backups = work.resolve("backups");
    pa = freePort();
    pb = freePort();
    writeBus(DESTINATIONS);
    a = launch("me1", "a0", pa);
    b = launch("me2", "b0", pb);
    awaitActive(a);
    awaitActive(b);
  }

  @AfterEach
  void stop() {
    members.forEach(MemberProcess::kill);
    postgres.close();
  }

  @Test
  void aRestoreBringsBackWhatWasQueuedAtBackupTimeAndLosesNothingAfterwards() throws Exception {
    EngineClient ca = client(a);
    List<String> preBackup = send(ca, "shipments", "pre", 40); // crosses over to me2
    send(ca, "orders", "local", 10);
    awaitDepth(b, "shipments", 40);

    Result backup =
        sibus(
            "backup",
            "--bus",
            "itbus",
            "--to",
            backups.toString(),
            "--config",
            busFile.toString(),
            "--jdbc-url",
            postgres.jdbcUrl(),
            "--db-user",
            "postgres");
    assertThat(backup.code).as(backup.out).isZero();
    assertThat(backup.out).contains("sends waited").contains("streams settled");

    send(ca, "shipments", "post", 15); // acknowledged after the backup: cannot come back
    writeBus(DESTINATIONS + "  - {name: audit, localizedOn: me2}\n"); // created after the backup
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> client(b).send("audit", new Outgoing("x")).status() == 201);
    send(client(b), "audit", "audit", 4);

    Result restore =
        sibus(
            "restore",
            "--bus",
            "itbus",
            "--from",
            backups.toString(),
            "--config",
            busFile.toString(),
            "--jdbc-url",
            postgres.jdbcUrl(),
            "--db-user",
            "postgres");
    System.out.println(restore.out);
    assertThat(restore.code).as(restore.out + restore.err).isZero();
    assertThat(restore.out)
        .contains("[1/6] Verify the archive")
        .contains("[6/6] Report")
        .contains("destination audit (created after the backup) is removed")
        .contains("15 message(s) on shipments sent after the backup are not brought back")
        .contains("flush of all delivery streams completed");
    assertThat(a.log())
        .contains(
            "SIBUS0783I Messaging engine me1 started, flush of all delivery streams completed.");
    assertThat(b.log())
        .contains(
            "SIBUS0783I Messaging engine me2 started, flush of all delivery streams completed.");

    Map<String, Integer> shipments = client(b).drain("shipments");
    assertThat(shipments.keySet()).containsExactlyInAnyOrderElementsOf(preBackup);
    assertThat(shipments.values()).allMatch(n -> n == 1);
    assertThat(client(a).drain("orders")).hasSize(10);
    JsonNode kept =
        client(b).receive("_SYSTEM.Exception.me2", 10, 1000, 30_000).json().get("messages");
    assertThat(kept).hasSize(5); // the audit messages: kept, with the reason, not deleted
    assertThat(kept)
        .allSatisfy(
            m ->
                assertThat(m.get("properties").get("sibus.exception.reason").asText())
                    .contains("not in the restored configuration"));

    // After the restore: cross-engine load, counted.
    LoadRunner load =
        new LoadRunner(
                "shipments",
                "ASSURED_PERSISTENT",
                () -> new MemberSetClient(List.of(a.url()), null),
                () -> new MemberSetClient(List.of(b.url()), null))
            .start(3, 1, Duration.ofMillis(5));
    Thread.sleep(4000);
    DeliveryLedger.Report report = load.finish(Duration.ofSeconds(60));
    System.out.println("BackupRestoreIT after the restore: " + report);
    assertThat(report.acknowledged()).isGreaterThan(50);
    assertThat(report.lost()).isEmpty();
    assertThat(report.duplicated()).isEmpty();
  }

  @Test
  void aDamagedOrForeignArchiveIsRefusedAndNothingChanges() throws Exception {
    send(client(a), "orders", "m", 5);
    assertThat(
            sibus(
                    "backup",
                    "--bus",
                    "itbus",
                    "--to",
                    backups.toString(),
                    "--config",
                    busFile.toString(),
                    "--jdbc-url",
                    postgres.jdbcUrl(),
                    "--db-user",
                    "postgres")
                .code)
        .isZero();
    Path archive;
    try (Stream<Path> dirs = Files.list(backups)) {
      archive = dirs.findFirst().orElseThrow();
    }
    send(client(a), "orders", "later", 3);

    Path copy = archive.resolve("engines/me1/sibus_message.copy");
    ArchiveDamage.flipByte(copy);
    assertRefused(archive, "itbus", "does not match its checksum");
    ArchiveDamage.flipByte(copy); // back as it was
    Path owner = archive.resolve("engines/me2/sibus_owner.copy");
    Path aside = work.resolve("aside");
    Files.move(owner, aside);
    assertRefused(archive, "itbus", "is missing");
    Files.move(aside, owner);
    assertRefused(archive, "otherbus", "it is a backup of bus 'itbus'");

    assertThat(depth(a, "orders")).isEqualTo(8); // nothing changed: the engines ran on
    assertThat(a.reportedState()).isEqualTo("ACTIVE");
  }

  @Test
  void aRestoreKilledInTheMiddleAndRunAgainEndsAsAnUninterruptedOne() throws Exception {
    List<String> queued = send(client(a), "shipments", "q", 20);
    awaitDepth(b, "shipments", 20);
    assertThat(
            sibus(
                    "backup",
                    "--bus",
                    "itbus",
                    "--to",
                    backups.toString(),
                    "--config",
                    busFile.toString(),
                    "--jdbc-url",
                    postgres.jdbcUrl(),
                    "--db-user",
                    "postgres")
                .code)
        .isZero();
    send(client(a), "shipments", "after", 5);

    Path jar = Path.of("target", "sibus-cli.jar").toAbsolutePath();
    Path log = work.resolve("restore-1.log");
    Process first =
        new ProcessBuilder(
                "java",
                "-jar",
                jar.toString(),
                "restore",
                "--bus",
                "itbus",
                "--from",
                backups.toString(),
                "--config",
                busFile.toString(),
                "--jdbc-url",
                postgres.jdbcUrl(),
                "--db-user",
                "postgres")
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    await()
        .atMost(Duration.ofSeconds(120))
        .until(() -> Files.readString(log).contains("[5/6]")); // stores restored, starts under way
    first.destroyForcibly().waitFor();

    Result again =
        sibus(
            "restore",
            "--bus",
            "itbus",
            "--from",
            backups.toString(),
            "--config",
            busFile.toString(),
            "--jdbc-url",
            postgres.jdbcUrl(),
            "--db-user",
            "postgres");
    assertThat(again.code).as(again.out + again.err).isZero();
    assertThat(a.reportedState()).isEqualTo("ACTIVE");
    assertThat(b.reportedState()).isEqualTo("ACTIVE");
    Map<String, Integer> shipments = client(b).drain("shipments");
    assertThat(shipments.keySet()).containsExactlyInAnyOrderElementsOf(queued);
    assertThat(shipments.values()).allMatch(n -> n == 1);
  }

  // --- helpers ---

  private void assertRefused(Path archive, String bus, String reason) throws Exception {
    Result refused =
        sibus(
            "restore",
            "--bus",
            bus,
            "--from",
            archive.toString(),
            "--config",
            busFile.toString(),
            "--jdbc-url",
            postgres.jdbcUrl(),
            "--db-user",
            "postgres");
    assertThat(refused.code).isEqualTo(1);
    assertThat(refused.err).contains("refused").contains("nothing was changed").contains(reason);
  }

  record Result(int code, String out, String err) {}

  private static Result sibus(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code =
        SibusCommand.commandLine(new PrintWriter(out, true), new PrintWriter(err, true))
            .execute(args);
    return new Result(code, out.toString(), err.toString());
  }

  private void writeBus(String destinations) throws IOException {
    Files.writeString(
        busFile,
        "bus: itbus\nsecret: s3cret\ndedupWindow: 24h\nengines:\n"
            + "  - {name: me1, urls: [\"http://127.0.0.1:"
            + pa
            + "\"]}\n"
            + "  - {name: me2, urls: [\"http://127.0.0.1:"
            + pb
            + "\"]}\n"
            + "destinations:\n"
            + destinations);
  }

  private MemberProcess launch(String engine, String member, int port) {
    Path jar =
        Path.of(
            System.getProperty(
                "sibus.engine.jar", "../engine-service/target/quarkus-app/quarkus-run.jar"));
    MemberProcess process =
        MemberProcess.launch(
            new MemberProcess.Spec(jar, member)
                .port(port)
                .workDirectory(work)
                .jvmOption("-Xmx192m")
                .jvmOption("-XX:TieredStopAtLevel=1")
                .property("sibus.bus.name", "itbus")
                .property("sibus.engine.name", engine)
                .property("sibus.bus.config-file", busFile.toString())
                .property("quarkus.datasource.jdbc.url", postgres.jdbcUrl())
                .property("quarkus.datasource.username", LocalPostgres.USER));
    members.add(process);
    return process;
  }

  private static EngineClient client(MemberProcess m) {
    return new EngineClient(m.url());
  }

  private static void awaitActive(MemberProcess m) throws InterruptedException {
    m.awaitState("ACTIVE", Duration.ofSeconds(60), Duration.ofMillis(100));
  }

  private static List<String> send(
      EngineClient client, String destination, String prefix, int count) throws IOException {
    List<String> bodies = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      String body = prefix + i;
      assertThat(client.send(destination, new Outgoing(body)).status()).isEqualTo(201);
      bodies.add(body);
    }
    return bodies;
  }

  private static long depth(MemberProcess m, String destination) {
    return client(m).depth(destination);
  }

  private static void awaitDepth(MemberProcess m, String destination, long depth) {
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(200))
        .until(() -> depth(m, destination) >= depth);
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
