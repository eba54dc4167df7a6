package io.sibus.engine.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.sibus.local.EngineClient;
import io.sibus.local.EngineClient.Outgoing;
import io.sibus.local.MemberProcess;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What each reliability level keeps when the active member stops cleanly and when it is killed,
 * counted on the member that takes over.
 */
class ReliabilityIT {
  @RegisterExtension static final ClusterExtension CLUSTER = new ClusterExtension("reliability");

  static final List<String> LEVELS =
      List.of(
          "BEST_EFFORT_NONPERSISTENT",
          "EXPRESS_NONPERSISTENT",
          "RELIABLE_NONPERSISTENT",
          "RELIABLE_PERSISTENT",
          "ASSURED_PERSISTENT");
  static final int PER_LEVEL = 25;

  @Test
  void aCleanStopKeepsEveryPersistentMessageAndNoNonpersistentOne() throws Exception {
    Map<String, Integer> kept = sendStopAndCount(false);
    assertThat(kept.get("ASSURED_PERSISTENT")).isEqualTo(PER_LEVEL);
    assertThat(kept.get("RELIABLE_PERSISTENT")).isEqualTo(PER_LEVEL); // written behind, drained
    assertThat(kept.get("RELIABLE_NONPERSISTENT")).isZero();
    assertThat(kept.get("EXPRESS_NONPERSISTENT")).isZero();
    assertThat(kept.get("BEST_EFFORT_NONPERSISTENT")).isZero();
  }

  @Test
  void aKillKeepsEveryAssuredMessage() throws Exception {
    Map<String, Integer> kept = sendStopAndCount(true);
    assertThat(kept.get("ASSURED_PERSISTENT")).isEqualTo(PER_LEVEL);
    assertThat(kept.get("RELIABLE_PERSISTENT")).isBetween(0, PER_LEVEL); // may lose the last ones
    assertThat(kept.get("RELIABLE_NONPERSISTENT")).isZero();
    assertThat(kept.get("EXPRESS_NONPERSISTENT")).isZero();
    assertThat(kept.get("BEST_EFFORT_NONPERSISTENT")).isZero();
  }

  private Map<String, Integer> sendStopAndCount(boolean kill) throws Exception {
    EngineCluster cluster = CLUSTER.get();
    MemberProcess m0 = cluster.launch("me1", "m0");
    EngineCluster.awaitState(m0, "ACTIVE", Duration.ofSeconds(60));
    MemberProcess m1 = cluster.launch("me1", "m1");
    EngineCluster.awaitState(m1, "STANDBY", Duration.ofSeconds(60));
    EngineClient active = EngineCluster.client(m0);
    for (int i = 0; i < PER_LEVEL; i++) {
      for (String level : LEVELS) {
        assertThat(active.send("orders", new Outgoing(level + "/" + i).reliability(level)).status())
            .isEqualTo(201);
      }
    }
    if (kill) {
      m0.kill();
    } else {
      m0.terminate(Duration.ofSeconds(20));
    }
    EngineCluster.awaitState(m1, "ACTIVE", Duration.ofSeconds(30));
    Map<String, Integer> kept = new TreeMap<>();
    LEVELS.forEach(level -> kept.put(level, 0));
    Map<String, Integer> seen = new TreeMap<>();
    for (JsonNode m : receiveEverything(EngineCluster.client(m1))) {
      String body = EngineClient.bodyText(m);
      kept.merge(body.substring(0, body.indexOf('/')), 1, Integer::sum);
      seen.merge(body, 1, Integer::sum);
    }
    System.out.printf(
        "ReliabilityIT (%s): sent %d per level, kept %s%n",
        kill ? "kill -9" : "clean stop", PER_LEVEL, kept);
    assertThat(seen.values()).as("duplicates").allMatch(count -> count == 1);
    return kept;
  }

  private static List<JsonNode> receiveEverything(EngineClient client) throws IOException {
    List<JsonNode> all = new java.util.ArrayList<>();
    while (true) {
      JsonNode batch = client.receive("orders", 100, 1000, 30_000).json().get("messages");
      if (batch.isEmpty()) {
        return all;
      }
      for (JsonNode m : batch) {
        all.add(m);
        assertThat(client.acknowledge("orders", m.get("receipt").asText()).status()).isEqualTo(204);
      }
    }
  }
}
