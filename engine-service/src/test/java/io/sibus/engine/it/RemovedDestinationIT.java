package io.sibus.engine.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.sibus.local.EngineClient;
import io.sibus.local.EngineClient.Outgoing;
import io.sibus.local.EngineClient.Reply;
import io.sibus.local.MemberProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A destination removed from the bus file of engine me2 ({@link BusIT}'s bus): its messages go to
 * the exception destination, once, also when the move fails and is tried again, and also a send
 * that commits as the destination is removed. Every message counted.
 */
class RemovedDestinationIT {
  @RegisterExtension static final ClusterExtension CLUSTER = new ClusterExtension("removed");
  private static final String EXCEPTION_ME2 = "_SYSTEM.Exception.me2";

  @Test
  void messagesOfARemovedDestinationGoToTheExceptionDestination() throws Exception {
    EngineCluster cluster = CLUSTER.get();
    int pb = EngineCluster.freePort();
    MemberProcess b = launchWithAuditMessages(cluster, pb, 5);
    removeAudit(cluster, pb);
    EngineCluster.awaitDepth(b, EXCEPTION_ME2, 5);
    assertMovedFromAudit(b, 5);
  }

  @Test
  void aFailedMoveOfARemovedDestinationsMessagesIsTriedAgain() throws Exception {
    EngineCluster cluster = CLUSTER.get();
    int pb = EngineCluster.freePort();
    MemberProcess b = launchWithAuditMessages(cluster, pb, 5);
    try (Connection c = cluster.postgres().connect();
        Statement s = c.createStatement()) {
      s.execute(
          "CREATE FUNCTION sibus_me2.it_refuse_moves() RETURNS trigger LANGUAGE plpgsql AS"
              + " $$BEGIN RAISE EXCEPTION 'moves refused by the test'; END$$");
      s.execute(
          "CREATE TRIGGER it_refuse_moves BEFORE UPDATE OF destination ON sibus_me2.sibus_message"
              + " FOR EACH ROW WHEN (NEW.destination IS DISTINCT FROM OLD.destination)"
              + " EXECUTE FUNCTION sibus_me2.it_refuse_moves()");
      removeAudit(cluster, pb);
      await("a refused move")
          .atMost(Duration.ofSeconds(60))
          .until(() -> b.log().contains("SIBUS0304W 5 message(s) of destination audit"));
      assertThat(EngineCluster.client(b).depth(EXCEPTION_ME2)).isZero();
      try (var rows =
          s.executeQuery(
              "SELECT count(*) FROM sibus_me2.sibus_message WHERE destination = 'audit'")) {
        rows.next();
        assertThat(rows.getInt(1)).as("still stored under the removed destination").isEqualTo(5);
      }
      s.execute("DROP FUNCTION sibus_me2.it_refuse_moves() CASCADE");
    }
    EngineCluster.awaitDepth(b, EXCEPTION_ME2, 5); // tried again by the housekeeping
    assertMovedFromAudit(b, 5);
  }

  /**
   * A move that committed while its caller heard a failure (a defect once the transaction
   * committed) is tried again: its messages are not moved twice, only indexed where they are.
   */
  @Test
  void aMoveThatCommittedAlthoughItFailedIsNotMadeTwice() throws Exception {
    EngineCluster cluster = CLUSTER.get();
    int pb = EngineCluster.freePort();
    MemberProcess b = launchWithAuditMessages(cluster, pb, 5, EngineCluster.FAULTS_ON);
    EngineCluster.injectFault(b, "unindexed-move");
    removeAudit(cluster, pb);
    await("a move that committed but failed")
        .atMost(Duration.ofSeconds(60))
        .until(() -> b.log().contains("SIBUS0304W 5 message(s) of destination audit"));
    String firstMove = exceptionProperties(cluster);
    assertThat(firstMove).contains("no longer exists");

    EngineCluster.awaitDepth(b, EXCEPTION_ME2, 5); // indexed by the retry
    assertThat(exceptionProperties(cluster)).as("moved once").isEqualTo(firstMove);
    assertMovedFromAudit(b, 5);
  }

  /**
   * A send whose commit is still on its way as its destination is removed: its message is stored
   * under the removed destination after the move took the others, and the housekeeping moves it
   * too.
   */
  @Test
  void aSendThatCommitsAsItsDestinationIsRemovedIsMovedToo() throws Exception {
    EngineCluster cluster = CLUSTER.get();
    int pb = EngineCluster.freePort();
    MemberProcess b = launchWithAuditMessages(cluster, pb, 5, EngineCluster.FAULTS_ON);
    EngineClient cb = EngineCluster.client(b);
    EngineCluster.injectFault(b, "hold-inserts");
    CompletableFuture<Reply> late =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return cb.send("audit", new Outgoing("audit-late"));
              } catch (IOException e) {
                throw new UncheckedIOException(e);
              }
            });
    await("the send's batch waits")
        .atMost(Duration.ofSeconds(60))
        .until(() -> b.log().contains("a batch of sent messages waits to be stored"));
    removeAudit(cluster, pb);
    await("audit removed")
        .atMost(Duration.ofSeconds(60))
        .until(() -> cb.destination("audit").status() == 404);
    assertThat(late).as("the send's batch still waits to store it").isNotDone();
    EngineCluster.injectFault(b, "release-inserts");

    assertThat(late.get(60, TimeUnit.SECONDS).status()).isEqualTo(201);
    EngineCluster.awaitDepth(b, EXCEPTION_ME2, 6);
    assertMovedFromAudit(b, 6);
  }

  /** The properties of the rows stored in me2's exception destination, in sequence order. */
  private static String exceptionProperties(EngineCluster cluster) throws Exception {
    try (Connection c = cluster.postgres().connect();
        Statement s = c.createStatement();
        var rows =
            s.executeQuery(
                "SELECT string_agg(properties, '|' ORDER BY seq) FROM sibus_me2.sibus_message"
                    + " WHERE destination = '"
                    + EXCEPTION_ME2
                    + "'")) {
      rows.next();
      return String.valueOf(rows.getString(1));
    }
  }

  private static MemberProcess launchWithAuditMessages(EngineCluster cluster, int port, int count)
      throws Exception {
    return launchWithAuditMessages(cluster, port, count, Map.of());
  }

  private static MemberProcess launchWithAuditMessages(
      EngineCluster cluster, int port, int count, Map<String, String> overrides) throws Exception {
    cluster.writeBus(
        Map.of("me1", List.of(EngineCluster.freePort()), "me2", List.of(port)),
        BusIT.DESTINATIONS,
        BusIT.SECRET,
        "24h");
    MemberProcess b = cluster.launch("me2", "b0", port, overrides);
    EngineCluster.awaitState(b, "ACTIVE", Duration.ofSeconds(60));
    EngineClient cb = EngineCluster.client(b);
    for (int i = 0; i < count; i++) {
      assertThat(cb.send("audit", new Outgoing("audit-" + i)).status()).isEqualTo(201);
    }
    return b;
  }

  private static void removeAudit(EngineCluster cluster, int port) throws Exception {
    cluster.writeBus(
        Map.of("me1", List.of(EngineCluster.freePort()), "me2", List.of(port)),
        "  - {name: orders, localizedOn: me1}\n  - {name: shipments, localizedOn: me2}\n",
        BusIT.SECRET,
        "24h");
  }

  private static void assertMovedFromAudit(MemberProcess b, int count) throws IOException {
    JsonNode messages =
        EngineCluster.client(b).receive(EXCEPTION_ME2, 10, 1000, 30_000).json().get("messages");
    assertThat(messages).hasSize(count);
    for (JsonNode m : messages) {
      assertThat(m.get("properties").get("sibus.exception.destination").asText())
          .isEqualTo("audit");
      assertThat(m.get("properties").get("sibus.exception.reason").asText())
          .contains("no longer exists");
    }
  }
}
