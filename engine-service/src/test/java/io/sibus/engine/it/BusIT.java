package io.sibus.engine.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sibus.datastore.StoreTables;
import io.sibus.datastore.Table;
import io.sibus.local.DeliveryLedger;
import io.sibus.local.EngineClient;
import io.sibus.local.EngineClient.Outgoing;
import io.sibus.local.EngineClient.Reply;
import io.sibus.local.LoadRunner;
import io.sibus.local.MemberProcess;
import io.sibus.local.MemberSetClient;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A bus of two engines: remote destinations, delivery streams, restart after restore. Every message
 * counted.
 */
class BusIT {
  @RegisterExtension static final ClusterExtension CLUSTER = new ClusterExtension("bus");
  static final String SECRET = "bus-secret-1";
  static final String DESTINATIONS =
      """
        - {name: orders, localizedOn: me1}
        - {name: shipments, localizedOn: me2}
        - {name: audit, localizedOn: me2}
      """;

  @Test
  void killingTheActiveMemberOfEitherEngineLosesAndDuplicatesNothing() throws Exception {
    EngineCluster cluster = CLUSTER.get();
    int[] p = {
      EngineCluster.freePort(),
      EngineCluster.freePort(),
      EngineCluster.freePort(),
      EngineCluster.freePort()
    };
    cluster.writeBus(
        Map.of("me1", List.of(p[0], p[1]), "me2", List.of(p[2], p[3])),
        DESTINATIONS,
        SECRET,
        "24h");
    List<MemberProcess> a =
        new CopyOnWriteArrayList<>(
            List.of(
                cluster.launch("me1", "a0", p[0], Map.of()),
                cluster.launch("me1", "a1", p[1], Map.of())));
    List<MemberProcess> b =
        new CopyOnWriteArrayList<>(
            List.of(
                cluster.launch("me2", "b0", p[2], Map.of()),
                cluster.launch("me2", "b1", p[3], Map.of())));
    EngineCluster.awaitActive(a, Duration.ofSeconds(60));
    EngineCluster.awaitActive(b, Duration.ofSeconds(60));
    List<String> aUrls = new CopyOnWriteArrayList<>(a.stream().map(MemberProcess::url).toList());
    List<String> bUrls = new CopyOnWriteArrayList<>(b.stream().map(MemberProcess::url).toList());
    LoadRunner load =
        new LoadRunner(
                "shipments",
                "ASSURED_PERSISTENT",
                () -> new MemberSetClient(aUrls, null),
                () -> new MemberSetClient(bUrls, null))
            .start(3, 2, Duration.ofMillis(5));
    Thread.sleep(2000);
    killActiveAndRestart(cluster, "me1", a, p, 0);
    Thread.sleep(2000);
    killActiveAndRestart(cluster, "me2", b, p, 2);
    Thread.sleep(2000);
    DeliveryLedger.Report report = load.finish(Duration.ofSeconds(90));
    System.out.printf("BusIT cross-engine kills: %s%n", report);
    assertThat(report.acknowledged()).isGreaterThan(100);
    assertThat(report.lost()).as("lost").isEmpty();
    assertThat(report.duplicated()).as("duplicated").isEmpty();
    assertThat(report.unexpected()).isEmpty();
  }

  private static void killActiveAndRestart(
      EngineCluster cluster, String engine, List<MemberProcess> members, int[] ports, int base) {
    MemberProcess active = EngineCluster.awaitActive(members, Duration.ofSeconds(60));
    int index = members.indexOf(active);
    active.kill();
    EngineCluster.awaitActive(members, Duration.ofSeconds(30));
    members.set(index, cluster.launch(engine, active.name() + "-r", ports[base + index], Map.of()));
  }

  @ParameterizedTest(name = "dedupWindow {0}")
  @ValueSource(strings = {"24h", "0"})
  void theSeedsScenarioRestartAfterRestoreLosesAndDuplicatesNoNewMessage(String dedupWindow)
      throws Exception {
    EngineCluster cluster = CLUSTER.get();
    int pa = EngineCluster.freePort();
    int pb = EngineCluster.freePort();
    cluster.writeBus(
        Map.of("me1", List.of(pa), "me2", List.of(pb)), DESTINATIONS, SECRET, dedupWindow);
    MemberProcess a = cluster.launch("me1", "a0", pa, Map.of());
    MemberProcess b = cluster.launch("me2", "b0", pb, Map.of());
    EngineCluster.awaitState(a, "ACTIVE", Duration.ofSeconds(60));
    EngineCluster.awaitState(b, "ACTIVE", Duration.ofSeconds(60));
    EngineClient ca = EngineCluster.client(a);

    send(ca, "p", 0, 10); // delivered before the backup
    EngineCluster.awaitDepth(b, "shipments", 10);
    b.terminate(Duration.ofSeconds(20)); // B away: the next ones are held on A's stream
    send(ca, "p", 10, 20);
    backup(cluster, "sibus_me1");
    b = cluster.launch("me2", "b0", pb, Map.of());
    EngineCluster.awaitState(b, "ACTIVE", Duration.ofSeconds(60));
    EngineCluster.awaitDepth(b, "shipments", 20);
    send(ca, "q", 0, 10); // after the backup: a restore cannot bring these back to A
    EngineCluster.awaitDepth(b, "shipments", 30);
    Map<String, Integer> received = EngineCluster.client(b).drain("shipments"); // consumed

    a.terminate(Duration.ofSeconds(20));
    restore(cluster, "sibus_me1");
    // (a) a normal start of the restored engine: the receiver is ahead; new messages are held
    a = cluster.launch("me1", "a0", pa, Map.of());
    EngineCluster.awaitState(a, "ACTIVE", Duration.ofSeconds(60));
    ca = EngineCluster.client(a);
    send(ca, "n", 0, 10);
    MemberProcess restored = a;
    await().atMost(Duration.ofSeconds(30)).until(() -> restored.log().contains("SIBUS0785E"));
    assertThat(ca.engine().json().get("restoreDetected").asBoolean()).isTrue();
    Thread.sleep(2000);
    assertThat(depth(b, "shipments")).as("nothing new sent to be discarded").isZero();

    // (b) restart in restart-after-restore mode: everything held arrives
    assertThat(ca.stop().status()).isEqualTo(202);
    EngineCluster.awaitState(a, "STOPPED", Duration.ofSeconds(30));
    assertThat(ca.start("RESTART_AFTER_RESTORE").status()).isEqualTo(202);
    await().atMost(Duration.ofSeconds(60)).until(() -> restored.log().contains("SIBUS0783I"));
    assertThat(a.log()).contains("SIBUS0780I").contains("SIBUS0781I");
    assertThat(ca.engine().json().get("flush").asText()).isEqualTo("COMPLETED");

    boolean dedup = !dedupWindow.equals("0");
    // The 10 held at backup time (p10..p19) are resent: recognised with deduplication, delivered
    // again without it (the duplicates the seeds allow, all from before the backup).
    int expected = dedup ? 10 : 20;
    try {
      EngineCluster.awaitDepth(b, "shipments", expected);
    } catch (RuntimeException e) {
      System.out.println(
          "DIAG "
              + sql(
                  cluster,
                  "SELECT target, reliability, stream_id, next_tick, acked_prefix FROM sibus_me1.sibus_stream_out")
              + " in "
              + sql(cluster, "SELECT * FROM sibus_me2.sibus_stream_in")
              + " depth "
              + depth(b, "shipments"));
      throw e;
    }
    Thread.sleep(2000);
    EngineCluster.client(b)
        .drain("shipments")
        .forEach((body, n) -> received.merge(body, n, Integer::sum));
    System.out.printf(
        "BusIT seeds scenario (dedupWindow %s): %d distinct, %d total%n",
        dedupWindow, received.size(), received.values().stream().mapToInt(Integer::intValue).sum());
    for (int i = 0; i < 10; i++) {
      assertThat(received.get("n" + i)).as("new message n" + i).isEqualTo(1);
      assertThat(received.get("q" + i)).as("post-backup message q" + i).isEqualTo(1);
    }
    for (int i = 0; i < 20; i++) {
      int times = received.getOrDefault("p" + i, 0);
      if (dedup || i < 10) {
        assertThat(times).as("pre-backup message p" + i).isEqualTo(1);
      } else {
        assertThat(times)
            .as("pre-backup message p" + i + " (may come twice without dedup)")
            .isBetween(1, 2);
      }
    }
    assertThat(received).hasSize(40);
  }

  @Test
  void aLostRangeIsResentInOrder() throws Exception {
    EngineCluster cluster = CLUSTER.get();
    int pa = EngineCluster.freePort();
    int pb = EngineCluster.freePort();
    cluster.writeBus(Map.of("me1", List.of(pa), "me2", List.of(pb)), DESTINATIONS, SECRET, "24h");
    MemberProcess a = cluster.launch("me1", "a0", pa, Map.of());
    MemberProcess b = cluster.launch("me2", "b0", pb, EngineCluster.FAULTS_ON);
    EngineCluster.awaitState(a, "ACTIVE", Duration.ofSeconds(60));
    EngineCluster.awaitState(b, "ACTIVE", Duration.ofSeconds(60));
    EngineCluster.injectFault(b, "drop-ticks?from=3&to=5");
    EngineClient ca = EngineCluster.client(a);
    List<String> sent = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      sent.add("m" + i);
      assertThat(ca.send("shipments", new Outgoing("m" + i)).status()).isEqualTo(201);
    }
    EngineCluster.awaitDepth(b, "shipments", 12);
    List<String> order = new ArrayList<>(EngineCluster.client(b).drain("shipments").keySet());
    assertThat(order).containsExactlyElementsOf(sent);
    assertThat(a.log()).contains("the gap is resent");
  }

  @Test
  void ticksASenderAlreadySentWithOtherMessagesAreReportedOnceAsUnexpected() throws Exception {
    EngineCluster cluster = CLUSTER.get();
    int pa = EngineCluster.freePort();
    int pb = EngineCluster.freePort();
    cluster.writeBus(Map.of("me1", List.of(pa), "me2", List.of(pb)), DESTINATIONS, SECRET, "24h");
    MemberProcess a = cluster.launch("me1", "a0", pa, Map.of());
    MemberProcess b = cluster.launch("me2", "b0", pb, Map.of());
    EngineCluster.awaitState(a, "ACTIVE", Duration.ofSeconds(60));
    EngineCluster.awaitState(b, "ACTIVE", Duration.ofSeconds(60));
    send(EngineCluster.client(a), "m", 0, 5);
    EngineCluster.awaitDepth(b, "shipments", 5);
    String stream =
        sql(cluster, "SELECT stream_id FROM sibus_me2.sibus_stream_in WHERE reliability = 45")
            .replaceAll("[\\[\\] ]", "");
    // What a sender whose state went backwards would send: old ticks, new messages.
    for (int round = 0; round < 3; round++) {
      String batch =
          "{\"source\":\"me1\",\"reliability\":\"ASSURED_PERSISTENT\",\"streamId\":\""
              + stream
              + "\",\"ticks\":[{\"tick\":2,\"messageId\":\"me1:restored:"
              + round
              + "\",\"destination\":\"shipments\",\"priority\":4,\"properties\":{},"
              + "\"body\":\"eA==\",\"enqueuedAt\":1,\"expiresAt\":0}]}";
      assertThat(post(b.url() + "/api/v1/streams/me1/ticks", batch, SECRET)).isEqualTo(200);
    }
    String expected =
        "SIBUS0784E Messaging engine me2 received a message from messaging engine me1 that was not expected.";
    await().atMost(Duration.ofSeconds(10)).until(() -> b.log().contains(expected));
    assertThat(b.log().split(java.util.regex.Pattern.quote(expected), -1)).hasSize(2); // once
    assertThat(b.log()).contains("restart-after-restore mode");
    assertThat(depth(b, "shipments")).isEqualTo(5); // dropped, not stored
  }

  @Test
  void receivingOnAnotherEnginesDestinationSaysWhereToGo() throws Exception {
    EngineCluster cluster = CLUSTER.get();
    int pa = EngineCluster.freePort();
    int pb = EngineCluster.freePort();
    cluster.writeBus(Map.of("me1", List.of(pa), "me2", List.of(pb)), DESTINATIONS, SECRET, "24h");
    MemberProcess a = cluster.launch("me1", "a0", pa, Map.of());
    EngineCluster.awaitState(a, "ACTIVE", Duration.ofSeconds(60));
    Reply reply = EngineCluster.client(a).receive("shipments", 1, 0, 1000);
    assertThat(reply.status()).isEqualTo(409);
    assertThat(reply.text("code")).isEqualTo("SIBUS0215E");
    assertThat(reply.text("localizedOn")).isEqualTo("me2");
    assertThat(reply.json().get("urls").get(0).asText()).isEqualTo("http://127.0.0.1:" + pb);
  }

  @Test
  void streamCallsWithoutTheBusSecretAreRefused() throws Exception {
    EngineCluster cluster = CLUSTER.get();
    int pa = EngineCluster.freePort();
    cluster.writeBus(
        Map.of("me1", List.of(pa), "me2", List.of(EngineCluster.freePort())),
        DESTINATIONS,
        SECRET,
        "24h");
    MemberProcess a = cluster.launch("me1", "a0", pa, Map.of());
    EngineCluster.awaitState(a, "ACTIVE", Duration.ofSeconds(60));
    String body =
        "{\"source\":\"me2\",\"reliability\":\"ASSURED_PERSISTENT\",\"streamId\":\"7b0c0d4e-8f0a-4c5b-9a8e-123456789abc\",\"highestTick\":0}";
    assertThat(post(a.url() + "/api/v1/streams/me2/handshake", body, null)).isEqualTo(401);
    assertThat(post(a.url() + "/api/v1/streams/me2/handshake", body, "wrong")).isEqualTo(401);
    assertThat(post(a.url() + "/api/v1/streams/me2/handshake", body, SECRET)).isEqualTo(200);
  }

  // --- helpers ---

  private static void send(EngineClient client, String prefix, int from, int to)
      throws IOException {
    for (int i = from; i < to; i++) {
      Reply reply =
          client.send(
              "shipments",
              new Outgoing(prefix + i).idempotencyKey(prefix + i + "-" + System.nanoTime()));
      assertThat(reply.status()).as(reply.toString()).isEqualTo(201);
    }
  }

  private static long depth(MemberProcess member, String destination) {
    return EngineCluster.client(member).depth(destination);
  }

  /** The backup: a copy of every table of the engine's schema, taken while it runs. */
  private static void backup(EngineCluster cluster, String schema) throws Exception {
    try (Connection c = cluster.postgres().connect();
        Statement s = c.createStatement()) {
      s.execute("DROP SCHEMA IF EXISTS it_backup CASCADE");
      s.execute("CREATE SCHEMA it_backup");
      for (Table t : StoreTables.all()) {
        s.execute(
            "CREATE TABLE it_backup." + t.name() + " AS SELECT * FROM " + schema + "." + t.name());
      }
    }
  }

  /** The restore: every table back as the copy had it, in one transaction. */
  private static void restore(EngineCluster cluster, String schema) throws Exception {
    try (Connection c = cluster.postgres().connect();
        Statement s = c.createStatement()) {
      c.setAutoCommit(false);
      for (Table t : StoreTables.all()) {
        s.execute("DELETE FROM " + schema + "." + t.name());
        s.execute(
            "INSERT INTO " + schema + "." + t.name() + " SELECT * FROM it_backup." + t.name());
      }
      c.commit();
    }
  }

  private static String sql(EngineCluster cluster, String query) throws Exception {
    StringBuilder out = new StringBuilder();
    try (Connection c = cluster.postgres().connect();
        Statement s = c.createStatement();
        var rs = s.executeQuery(query)) {
      while (rs.next()) {
        out.append('[');
        for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
          out.append(rs.getString(i)).append(' ');
        }
        out.append(']');
      }
    }
    return out.toString();
  }

  private static int post(String url, String json, String token) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(url))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(json));
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    return HttpClient.newHttpClient()
        .send(request.build(), HttpResponse.BodyHandlers.ofString())
        .statusCode();
  }
}
