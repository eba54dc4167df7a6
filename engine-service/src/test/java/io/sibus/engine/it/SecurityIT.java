package io.sibus.engine.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.sibus.local.EngineClient;
import io.sibus.local.EngineClient.Outgoing;
import io.sibus.local.EngineClient.Reply;
import io.sibus.local.MemberProcess;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** With a token configured, the API needs it; probes and metrics stay open. */
class SecurityIT {
  @RegisterExtension static final ClusterExtension CLUSTER = new ClusterExtension("security");

  @Test
  void everyApiCallNeedsTheBearerTokenFromTheTokenFile() throws Exception {
    Path tokenFile = CLUSTER.get().work().resolve("token");
    Files.writeString(tokenFile, "s3cret-token\n");
    MemberProcess m0 =
        CLUSTER
            .get()
            .launch("me1", "m0", Map.of("sibus.security.token-file", tokenFile.toString()));
    EngineClient anonymous = new EngineClient(m0.url());
    EngineClient wrong = new EngineClient(m0.url(), "guess");
    EngineClient authorized = new EngineClient(m0.url(), "s3cret-token");
    org.awaitility.Awaitility.await()
        .atMost(Duration.ofSeconds(60))
        .ignoreExceptions()
        .until(() -> "ACTIVE".equals(authorized.engine().text("state")));

    for (Reply refused :
        new Reply[] {
          anonymous.engine(),
          anonymous.send("orders", new Outgoing("x")),
          anonymous.receive("orders", 1, 0, 1000),
          wrong.send("orders", new Outgoing("x")),
          anonymous.post("/api/v1/engine/stop", null)
        }) {
      assertThat(refused.status()).as(refused.toString()).isEqualTo(401);
      assertThat(refused.text("code")).isEqualTo("SIBUS0204E");
    }
    // Calls outside the REST layer (SendRoute, DeliveryRoutes) are checked on the path they
    // matched: percent-encoded letters are decoded before routing, so the check must see them
    // decoded too.
    for (String path :
        new String[] {
          "/api/v1/destinations/orders/messages",
          "/%61pi/v1/destinations/orders/messages",
          "/%61pi/v1/destinations/orders/receipts",
          "/%61pi/v1/destinations/orders/acknowledgements"
        }) {
      HttpResponse<String> send =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(URI.create(m0.url() + path))
                      .header("Content-Type", "application/json")
                      .POST(HttpRequest.BodyPublishers.ofString("{\"receipts\":[]}"))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      assertThat(send.statusCode()).as(path).isEqualTo(401);
      assertThat(send.headers().firstValue("WWW-Authenticate")).hasValue("Bearer");
      assertThat(send.body()).contains("SIBUS0204E");
    }
    assertThat(m0.reportedState()).isEqualTo("HTTP 401");
    assertThat(authorized.send("orders", new Outgoing("x")).status()).isEqualTo(201);
    assertThat(anonymous.health("ready")).isEqualTo(200);
    assertThat(anonymous.get("/q/metrics").status()).isEqualTo(200);
  }
}
