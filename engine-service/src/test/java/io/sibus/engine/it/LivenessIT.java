package io.sibus.engine.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sibus.local.EngineClient;
import io.sibus.local.EngineClient.Outgoing;
import io.sibus.local.MemberProcess;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Errors the engine cannot see in itself are caught by the liveness check. */
class LivenessIT {
  @RegisterExtension static final ClusterExtension CLUSTER = new ClusterExtension("liveness");

  private static final Map<String, String> FAULTS =
      Map.of("sibus.engine.test-faults", "true", "sibus.engine.liveness-stall-timeout", "2s");

  @Test
  void aDeadlockFailsTheLivenessCheck() throws IOException {
    MemberProcess m0 = CLUSTER.get().launch("me1", "m0", FAULTS);
    EngineCluster.awaitState(m0, "ACTIVE", Duration.ofSeconds(60));
    EngineClient client = EngineCluster.client(m0);
    assertThat(client.health("live")).isEqualTo(200);
    assertThat(client.post("/api/v1/test/faults/deadlock", null).status()).isEqualTo(202);
    await().atMost(Duration.ofSeconds(10)).until(() -> client.health("live") == 503);
    assertThat(client.get("/q/health/live").json().toString()).contains("sibus-fault-deadlock");
  }

  @Test
  void aSpinningWriterFailsTheLivenessCheck() throws IOException {
    MemberProcess m0 = CLUSTER.get().launch("me1", "m0", FAULTS);
    EngineCluster.awaitState(m0, "ACTIVE", Duration.ofSeconds(60));
    EngineClient client = EngineCluster.client(m0);
    assertThat(client.post("/api/v1/test/faults/spin-writer", null).status()).isEqualTo(202);
    // The next persistent send gives the writer work it never finishes.
    Thread sender =
        new Thread(
            () -> {
              try {
                client.send("orders", new Outgoing("stuck"));
              } catch (IOException ignored) {
                // the member is stuck; nothing to report
              }
            });
    sender.setDaemon(true);
    sender.start();
    await().atMost(Duration.ofSeconds(15)).until(() -> client.health("live") == 503);
    assertThat(client.get("/q/health/live").json().toString()).contains("sibus-writer");
  }

  @Test
  void faultInjectionIsAbsentUnlessEnabled() throws IOException {
    MemberProcess m0 = CLUSTER.get().launch("me1", "m0");
    EngineCluster.awaitState(m0, "ACTIVE", Duration.ofSeconds(60));
    EngineClient client = EngineCluster.client(m0);
    assertThat(client.post("/api/v1/test/faults/deadlock", null).status()).isEqualTo(404);
    assertThat(client.health("live")).isEqualTo(200);
  }
}
