package io.sibus.engine.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sibus.datastore.SchemaName;
import io.sibus.datastore.StoreTables;
import io.sibus.local.EngineClient;
import io.sibus.local.EngineClient.Outgoing;
import io.sibus.local.EngineClient.Reply;
import io.sibus.local.MemberProcess;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The HTTP API of one engine member, against a real PostgreSQL. */
class MessagingApiIT {
  @RegisterExtension static final ClusterExtension CLUSTER = new ClusterExtension("api", false);

  /** Low, so that a test makes the dead rows that start a vacuum. */
  private static final int VACUUM_THRESHOLD = 100;

  /**
   * The HTTP layer's own limit of a body, low so that a test can go past it without a length: 1
   * MiB, above the largest message (64 KiB).
   */
  private static final int HTTP_BODY_LIMIT = 1024 * 1024;

  static MemberProcess member;
  static EngineClient client;

  @BeforeAll
  static void start() {
    member =
        CLUSTER
            .get()
            .launch(
                "me1",
                "api-0",
                Map.of(
                    "sibus.engine.max-message-size",
                    "65536",
                    "sibus.engine.vacuum-threshold",
                    String.valueOf(VACUUM_THRESHOLD),
                    "sibus.engine.test-faults",
                    "true",
                    "quarkus.http.limits.max-body-size",
                    String.valueOf(HTTP_BODY_LIMIT)));
    EngineCluster.awaitState(member, "ACTIVE", Duration.ofSeconds(60));
    client = EngineCluster.client(member);
  }

  @Test
  void everyReliabilityLevelIsSentReceivedAndAcknowledged() throws IOException {
    drain("orders");
    String[] levels = {
      "BEST_EFFORT_NONPERSISTENT",
      "EXPRESS_NONPERSISTENT",
      "RELIABLE_NONPERSISTENT",
      "RELIABLE_PERSISTENT",
      "ASSURED_PERSISTENT"
    };
    for (String level : levels) {
      Reply sent = client.send("orders", new Outgoing("body of " + level).reliability(level));
      assertThat(sent.status()).as(level).isEqualTo(201);
      assertThat(sent.text("messageId")).startsWith("me1:");
      assertThat(sent.json().get("duplicate").asBoolean()).isFalse();
    }
    List<JsonNode> received = receiveAll("orders", 5);
    assertThat(received).hasSize(5);
    for (JsonNode m : received) {
      assertThat(EngineClient.bodyText(m)).isEqualTo("body of " + m.get("reliability").asText());
      assertThat(m.get("redeliveryCount").asInt()).isZero();
      assertThat(client.acknowledge("orders", m.get("receipt").asText()).status()).isEqualTo(204);
    }
    assertThat(client.destination("orders").json().get("depth").asInt()).isZero();
  }

  @Test
  void higherPriorityFirstThenSendingOrder() throws IOException {
    drain("orders");
    send("orders", "a", 1);
    send("orders", "b", 9);
    send("orders", "c", 4);
    send("orders", "d", 9);
    List<String> bodies = new ArrayList<>();
    for (JsonNode m : client.receive("orders", 10, 0, 30_000).json().get("messages")) {
      bodies.add(EngineClient.bodyText(m));
      client.acknowledge("orders", m.get("receipt").asText());
    }
    assertThat(bodies).containsExactly("b", "d", "c", "a");
  }

  @Test
  void releasedMessageIsRedeliveredThenMovedToTheExceptionDestination() throws IOException {
    drain("orders");
    drain("_SYSTEM.Exception.me1");
    String id = send("orders", "poison", 4);
    releaseEachDelivery(id, 0);
    JsonNode moved = movedToTheExceptionDestination(id);
    assertThat(EngineClient.bodyText(moved)).isEqualTo("poison");
    assertThat(moved.get("properties").get("sibus.exception.destination").asText())
        .isEqualTo("orders");
    assertThat(moved.get("properties").get("sibus.exception.reason").asText())
        .contains("maxRedeliveries");
  }

  /**
   * A delivery lock that committed but whose rows the engine could not read back (a defect) was a
   * delivery as far as the store knows: the member counts it too, so the redelivery limit falls
   * where a member that takes over (and reads the store's count) would put it.
   */
  @Test
  void aLockCommittedButNotReadBackCountsTowardsTheRedeliveryLimit() throws IOException {
    drain("orders");
    drain("_SYSTEM.Exception.me1");
    String id = send("orders", "unread", 4);
    assertThat(client.post("/api/v1/test/faults/unread-locks", null).status()).isEqualTo(202);
    Reply unread = client.receive("orders", 1, 1000, 30_000);
    assertThat(unread.status()).isEqualTo(500);
    assertThat(unread.text("code")).isEqualTo("SIBUS0211E");

    releaseEachDelivery(id, 1);
    movedToTheExceptionDestination(id);
  }

  /**
   * Receives message {@code id} from orders and releases it, once for each redelivery count from
   * {@code first} up to the limit of orders (maxRedeliveries 2).
   */
  private static void releaseEachDelivery(String id, int first) throws IOException {
    for (int expected = first; expected <= 2; expected++) {
      JsonNode m = receiveAll("orders", 1).get(0);
      assertThat(m.get("messageId").asText()).isEqualTo(id);
      assertThat(m.get("redeliveryCount").asInt()).isEqualTo(expected);
      assertThat(client.release("orders", m.get("receipt").asText()).status()).isEqualTo(204);
    }
  }

  /** Message {@code id} has left orders for the exception destination: it is taken from there. */
  private static JsonNode movedToTheExceptionDestination(String id) throws IOException {
    assertThat(client.receive("orders", 1, 300, 30_000).json().get("messages")).isEmpty();
    JsonNode moved = receiveAll("_SYSTEM.Exception.me1", 1).get(0);
    assertThat(moved.get("messageId").asText()).isEqualTo(id);
    client.acknowledge("_SYSTEM.Exception.me1", moved.get("receipt").asText());
    return moved;
  }

  @Test
  void anExpiredLockRedeliversAndItsReceiptIsGone() throws IOException {
    drain("orders");
    String id = send("orders", "slow consumer", 4);
    JsonNode first = client.receive("orders", 1, 0, 300).json().get("messages").get(0);
    JsonNode again =
        client.receive("orders", 1, 5_000, 30_000).json().get("messages").get(0); // after expiry
    assertThat(again.get("messageId").asText()).isEqualTo(id);
    assertThat(again.get("redeliveryCount").asInt()).isEqualTo(1);
    Reply late = client.acknowledge("orders", first.get("receipt").asText());
    assertThat(late.status()).isEqualTo(410);
    assertThat(late.text("code")).isEqualTo("SIBUS0206E");
    assertThat(client.acknowledge("orders", again.get("receipt").asText()).status()).isEqualTo(204);
  }

  @Test
  void aBatchAcknowledgementDeletesItsMessagesAndNamesTheReceiptsThatAreGone() throws Exception {
    drain("orders");
    for (int i = 0; i < 21; i++) {
      send("orders", "batch " + i, 4);
    }
    List<String> receipts = new ArrayList<>();
    receiveAll("orders", 21).forEach(m -> receipts.add(m.get("receipt").asText()));
    String settled = receipts.get(20);
    assertThat(client.acknowledge("orders", settled).status()).isEqualTo(204); // one on its own
    receipts.add(receipts.get(0)); // given twice: acknowledged once
    double operationsBefore = committedOperations();
    Reply batch = client.acknowledgeAll("orders", receipts);
    assertThat(batch.status()).as(batch.toString()).isEqualTo(200);
    // The twenty deletes are one group-commit operation, not twenty; the member's own housekeeping
    // (purges, expiries) may add a few of its own meanwhile.
    assertThat(committedOperations() - operationsBefore).isLessThan(10);
    assertThat(batch.json().get("acknowledged").asInt()).isEqualTo(20);
    assertThat(batch.json().get("gone")).extracting(JsonNode::asText).containsExactly(settled);
    assertThat(client.destination("orders").json().get("depth").asInt()).isZero();
    assertThat(client.receive("orders", 10, 300, 30_000).json().get("messages")).isEmpty();

    assertError(client.acknowledgeAll("orders", List.of()), 400, "SIBUS0201E");
    assertError(client.acknowledgeAll("orders", List.of("not-a-receipt")), 400, "SIBUS0201E");
    assertError(
        client.post("/api/v1/destinations/orders/acknowledgements", "{\"receipts\":[null]}"),
        400,
        "SIBUS0201E");
    assertError(
        client.post("/api/v1/destinations/orders/acknowledgements", "{"), 400, "SIBUS0201E");
    List<String> tooMany = new ArrayList<>();
    for (int i = 0; i < 1001; i++) {
      tooMany.add(java.util.UUID.randomUUID().toString());
    }
    assertError(client.acknowledgeAll("orders", tooMany), 400, "SIBUS0201E");
    assertError(client.acknowledgeAll("nosuch", receipts), 404, "SIBUS0202E");
  }

  @Test
  void messagesPastTheirTimeToLiveAreNotDelivered() throws Exception {
    drain("orders");
    client.send("orders", new Outgoing("short-lived").timeToLive(200));
    client.send(
        "orders",
        new Outgoing("short-lived, in memory")
            .timeToLive(200)
            .reliability("RELIABLE_NONPERSISTENT"));
    Thread.sleep(600);
    assertThat(client.receive("orders", 10, 0, 30_000).json().get("messages")).isEmpty();
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> client.destination("orders").json().get("depth").asInt() == 0);
  }

  @Test
  void anIdempotencyKeyMakesARetryADuplicateNotASecondMessage() throws IOException {
    drain("orders");
    Reply first = client.send("orders", new Outgoing("once").idempotencyKey("order-42"));
    Reply second = client.send("orders", new Outgoing("once").idempotencyKey("order-42"));
    assertThat(second.status()).isEqualTo(201);
    assertThat(second.text("messageId")).isEqualTo(first.text("messageId"));
    assertThat(second.json().get("duplicate").asBoolean()).isTrue();
    Reply memory1 =
        client.send(
            "orders",
            new Outgoing("once").idempotencyKey("np-1").reliability("EXPRESS_NONPERSISTENT"));
    Reply memory2 =
        client.send(
            "orders",
            new Outgoing("once").idempotencyKey("np-1").reliability("EXPRESS_NONPERSISTENT"));
    assertThat(memory2.text("messageId")).isEqualTo(memory1.text("messageId"));
    assertThat(memory2.json().get("duplicate").asBoolean()).isTrue();
    assertThat(receiveAll("orders", 2)).hasSize(2);
    assertThat(client.receive("orders", 10, 300, 30_000).json().get("messages")).isEmpty();
  }

  @Test
  void aWaitingReceiveGetsAMessageSentWhileItWaits() throws Exception {
    drain("orders");
    CompletableFuture<Reply> waiting =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return client.receive("orders", 1, 10_000, 30_000);
              } catch (IOException e) {
                throw new IllegalStateException(e);
              }
            });
    Thread.sleep(500);
    assertThat(waiting).isNotDone();
    String id = send("orders", "awaited", 4);
    JsonNode m = waiting.get().json().get("messages").get(0);
    assertThat(m.get("messageId").asText()).isEqualTo(id);
    client.acknowledge("orders", m.get("receipt").asText());
  }

  @Test
  void badInputIsRefusedWithACodeAndNoStackTrace() throws Exception {
    assertError(client.send("nowhere", new Outgoing("x")), 404, "SIBUS0202E");
    assertError(client.send("orders", new Outgoing("x").priority(10)), 400, "SIBUS0201E");
    assertThat(client.send("orders", new Outgoing("x").priority(10)).text("field"))
        .isEqualTo("Sibus-Priority");
    assertError(
        client.send("orders", new Outgoing("x").header("Sibus-Priority", "high")),
        400,
        "SIBUS0201E");
    assertError(
        client.send("orders", new Outgoing("x").reliability("SOMETIMES")), 400, "SIBUS0201E");
    assertError(client.send("orders", new Outgoing("x").timeToLive(0)), 400, "SIBUS0201E");
    assertError(
        client.send("orders", new Outgoing("x").property("bad!name", "v")), 400, "SIBUS0201E");
    assertError(client.send("orders", new Outgoing(new byte[70_000])), 413, "SIBUS0203E");
    assertError(client.receive("orders", 0, 0, 1000), 400, "SIBUS0201E");
    assertError(client.receive("orders", 1, -1, 1000), 400, "SIBUS0201E");
    assertError(client.acknowledge("orders", "not-a-receipt"), 400, "SIBUS0201E");
    assertError(
        client.acknowledge("orders", "7b0c0d4e-8f0a-4c5b-9a8e-123456789abc"), 410, "SIBUS0206E");
    assertError(client.post("/api/v1/engine/start", "{\"mode\":\"FAST\"}"), 400, "SIBUS0201E");
    assertError(client.post("/api/v1/engine/start", "{not json"), 400, "SIBUS0201E");
    assertError(client.post("/api/v1/engine/start", "{}"), 409, "SIBUS0209E");
    assertError(client.get("/api/v1/nothing-here"), 404, "SIBUS0212E");
    // A body sent without a length is checked once read.
    HttpResponse<String> chunked =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(
                        URI.create(member.url() + "/api/v1/destinations/orders/messages"))
                    .POST(
                        HttpRequest.BodyPublishers.ofInputStream(
                            () -> new java.io.ByteArrayInputStream(new byte[70_000])))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(chunked.statusCode()).isEqualTo(413);
    assertThat(chunked.body()).contains("SIBUS0203E");
  }

  /**
   * The send is served outside the REST layer (SendRoute); what a client can tell of an HTTP
   * exchange stays as the rest of the API answers it.
   */
  @Test
  void aSendIsAnsweredAsEveryOtherCallOfTheApi() throws Exception {
    drain("orders");
    // HTTP/1.1: the JDK's client cannot wait for a 100 Continue on a connection it upgrades.
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    URI messages = URI.create(member.url() + "/api/v1/destinations/orders/messages");
    HttpResponse<String> continued =
        http.send(
            HttpRequest.newBuilder(messages)
                .expectContinue(true)
                .timeout(Duration.ofSeconds(20))
                .header("Accept", "text/html, application/json;q=0.9")
                .header("Sibus-Property-origin", "continued")
                .POST(HttpRequest.BodyPublishers.ofString("after a 100 Continue"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(continued.statusCode()).as(continued.body()).isEqualTo(201);
    assertThat(continued.body()).contains("\"duplicate\":false");
    // The JDK's default client offers HTTP/2 (h2c) on its first request.
    HttpResponse<String> streamed =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(messages)
                    .POST(
                        HttpRequest.BodyPublishers.ofInputStream(
                            () -> new ByteArrayInputStream("sent without a length".getBytes())))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(streamed.statusCode()).as(streamed.body()).isEqualTo(201);
    List<JsonNode> received = receiveAll("orders", 2);
    assertThat(received)
        .extracting(m -> new String(Base64.getDecoder().decode(m.get("body").asText())))
        .containsExactly("after a 100 Continue", "sent without a length");
    assertThat(received.get(0).get("properties").get("origin").asText()).isEqualTo("continued");
    for (JsonNode m : received) {
      client.acknowledge("orders", m.get("receipt").asText());
    }

    HttpResponse<String> notJson =
        http.send(
            HttpRequest.newBuilder(messages)
                .header("Accept", "text/plain")
                .POST(HttpRequest.BodyPublishers.ofString("x"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(notJson.statusCode()).isEqualTo(406);
    assertThat(notJson.body()).contains("SIBUS0201E");
    assertAnsweredAsTheRestLayer(
        continued,
        http.send(
            HttpRequest.newBuilder(
                    URI.create(member.url() + "/api/v1/destinations/nowhere/messages"))
                .POST(HttpRequest.BodyPublishers.ofString("x"))
                .build(),
            HttpResponse.BodyHandlers.ofString()));
    assertError(client.get("/api/v1/destinations/orders/messages"), 405, "SIBUS0213E");
    assertThat(client.receive("orders", 10, 0, 30_000).json().get("messages")).isEmpty();
  }

  /**
   * The receive and the batch acknowledgement are served outside the REST layer too
   * (DeliveryRoutes), with the same answers.
   */
  @Test
  void aReceiveAndAnAcknowledgementAreAnsweredAsEveryOtherCallOfTheApi() throws Exception {
    drain("orders");
    send("orders", "one", 4);
    send("orders", "two", 4);
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    String orders = member.url() + "/api/v1/destinations/orders";
    // A receive's body means nothing: it is read and thrown away, after a 100 Continue.
    HttpResponse<String> received =
        http.send(
            HttpRequest.newBuilder(URI.create(orders + "/receipts?max=2&waitMs=5000&max=1"))
                .expectContinue(true)
                .timeout(Duration.ofSeconds(20))
                .POST(HttpRequest.BodyPublishers.ofString("ignored"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(received.statusCode()).as(received.body()).isEqualTo(200);
    JsonNode messages = new ObjectMapper().readTree(received.body()).get("messages");
    assertThat(messages)
        .extracting(m -> new String(Base64.getDecoder().decode(m.get("body").asText())))
        .containsExactly("one", "two"); // only the first max counts, as in the REST layer
    String receipts =
        "{\"receipts\":[\""
            + messages.get(0).get("receipt").asText()
            + "\",\""
            + messages.get(1).get("receipt").asText()
            + "\"]}";
    // Over h2c (upgraded by a first GET), and with a charset in the Content-Type.
    HttpClient h2c = HttpClient.newHttpClient();
    h2c.send(
        HttpRequest.newBuilder(URI.create(orders)).build(), HttpResponse.BodyHandlers.ofString());
    HttpResponse<String> acknowledged =
        h2c.send(
            HttpRequest.newBuilder(URI.create(orders + "/acknowledgements"))
                .header("Content-Type", "Application/JSON; charset=UTF-8")
                .POST(HttpRequest.BodyPublishers.ofString(receipts))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(acknowledged.version()).isEqualTo(HttpClient.Version.HTTP_2);
    assertThat(acknowledged.statusCode()).as(acknowledged.body()).isEqualTo(200);
    assertThat(new ObjectMapper().readTree(acknowledged.body()).get("acknowledged").asInt())
        .isEqualTo(2);
    assertThat(client.destination("orders").json().get("depth").asInt()).isZero();
    assertAnsweredAsTheRestLayer(
        received,
        http.send(
            HttpRequest.newBuilder(
                    URI.create(member.url() + "/api/v1/destinations/nowhere/receipts"))
                .POST(HttpRequest.BodyPublishers.noBody())
                .build(),
            HttpResponse.BodyHandlers.ofString()));
    assertAnsweredAsTheRestLayer(
        acknowledged,
        http.send(
            HttpRequest.newBuilder(
                    URI.create(member.url() + "/api/v1/destinations/nowhere/acknowledgements"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(receipts))
                .build(),
            HttpResponse.BodyHandlers.ofString()));
  }

  /**
   * What the routes outside the REST layer refuse is refused as the REST layer refuses it; what
   * they leave to the REST layer or to the HTTP layer is refused there, as before.
   */
  @Test
  void whatTheRoutesRefuseIsRefusedAsTheRestLayerRefusesIt() throws Exception {
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    String orders = member.url() + "/api/v1/destinations/orders";
    // The REST layer still serves a path with a trailing slash.
    for (String body : new String[] {"{", "  ", "null", "[]", "{\"receipts\":[]}", ""}) {
      HttpResponse<String> route = post(http, orders + "/acknowledgements", body);
      HttpResponse<String> rest = post(http, orders + "/acknowledgements/", body);
      assertThat(route.statusCode()).as(body).isEqualTo(400);
      assertThat(route.body()).as(body).contains("SIBUS0201E").isEqualTo(rest.body());
      assertThat(rest.statusCode()).as(body).isEqualTo(400);
    }
    for (String accept :
        new String[] {
          "text/plain", "application/json;q=0, */*", "*/*;q=0, application/json", "application/*"
        }) {
      HttpResponse<String> route =
          http.send(
              HttpRequest.newBuilder(URI.create(orders + "/receipts"))
                  .header("Accept", accept)
                  .POST(HttpRequest.BodyPublishers.noBody())
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      HttpResponse<String> rest =
          http.send(
              HttpRequest.newBuilder(URI.create(orders)).header("Accept", accept).build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(route.statusCode()).as(accept).isEqualTo(rest.statusCode());
    }
    // A declared length past what the HTTP layer reads at all: its own answer, before any body.
    String restTooLarge = statusLine("/api/v1/engine/start");
    assertThat(restTooLarge).contains(" 413 ");
    assertThat(statusLine("/api/v1/destinations/orders/receipts")).isEqualTo(restTooLarge);
    assertThat(statusLine("/api/v1/destinations/orders/acknowledgements")).isEqualTo(restTooLarge);

    HttpResponse<String> notJson =
        http.send(
            HttpRequest.newBuilder(URI.create(orders + "/receipts"))
                .header("Accept", "text/plain")
                .POST(HttpRequest.BodyPublishers.noBody())
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(notJson.statusCode()).isEqualTo(406);
    assertThat(notJson.body()).contains("SIBUS0201E");
    HttpResponse<String> plain =
        http.send(
            HttpRequest.newBuilder(URI.create(orders + "/acknowledgements"))
                .header("Content-Type", "text/plain")
                .POST(HttpRequest.BodyPublishers.ofString("{\"receipts\":[]}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(plain.statusCode()).isEqualTo(415);
    assertThat(plain.body()).contains("SIBUS0214E");
    assertError(client.get("/api/v1/destinations/orders/receipts"), 405, "SIBUS0213E");
  }

  private static HttpResponse<String> post(HttpClient http, String url, String json)
      throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(url))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(json))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /**
   * A body without a length that goes on past the HTTP layer's limit: each route answers 413 as
   * JSON once the limit is passed, and then cuts the exchange, rather than read on without end.
   */
  @Test
  void aBodyWithoutALengthPastTheHttpLayersLimitIsAnsweredAndThenCut() throws Exception {
    for (String path :
        new String[] {
          "/api/v1/destinations/orders/messages",
          "/api/v1/destinations/orders/receipts",
          "/api/v1/destinations/orders/acknowledgements"
        }) {
      String answer = answerToAChunkedBodyPastTheLimit(path);
      assertThat(answer).as(path).startsWith("HTTP/1.1 413 ").contains("SIBUS0203E");
      assertThat(answer).as(path).containsIgnoringCase("content-type: application/json");
    }
    // The member serves on.
    assertThat(send("orders", "after the cut", 4)).isNotBlank();
    drain("orders");
  }

  /**
   * POSTs to {@code path} a chunked body of twice the HTTP layer's limit, and returns all that the
   * member answers until it closes the connection. A member that does not close it fails the read
   * after 20 s.
   */
  private static String answerToAChunkedBodyPastTheLimit(String path) throws Exception {
    try (Socket socket = rawConnection()) {
      OutputStream out = socket.getOutputStream();
      out.write(
          ("POST "
                  + path
                  + " HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n"
                  + "Transfer-Encoding: chunked\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      // On a thread of its own: the member may stop reading, and close, before the end.
      CompletableFuture<Void> sending =
          CompletableFuture.runAsync(
              () -> {
                byte[] chunk = new byte[64 * 1024];
                Arrays.fill(chunk, (byte) ' ');
                byte[] size =
                    (Integer.toHexString(chunk.length) + "\r\n")
                        .getBytes(StandardCharsets.US_ASCII);
                try {
                  for (int sent = 0; sent < 2 * HTTP_BODY_LIMIT; sent += chunk.length) {
                    out.write(size);
                    out.write(chunk);
                    out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
                  }
                  out.flush();
                } catch (IOException e) {
                  // cut by the member: what the test expects
                }
              });
      ByteArrayOutputStream answer = new ByteArrayOutputStream();
      try {
        socket.getInputStream().transferTo(answer);
      } catch (SocketException e) {
        // Reset: closed with the rest of the body unread. (A read that waits 20 s throws a
        // SocketTimeoutException, which is no SocketException: it fails the test.)
      }
      sending.get(20, TimeUnit.SECONDS);
      return answer.toString(StandardCharsets.US_ASCII);
    }
  }

  /**
   * A connection to the member for what an HTTP client would not send; a read waits 20 s at most.
   */
  private static Socket rawConnection() throws IOException {
    URI url = URI.create(member.url());
    Socket socket = new Socket();
    socket.setSoTimeout(20_000);
    socket.connect(new InetSocketAddress(url.getHost(), url.getPort()));
    return socket;
  }

  /** The status line of a POST that declares 70 MB and sends none of it. */
  private static String statusLine(String path) throws IOException {
    try (Socket socket = rawConnection()) {
      socket
          .getOutputStream()
          .write(
              ("POST "
                      + path
                      + " HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n"
                      + "Content-Length: 70000000\r\n\r\n")
                  .getBytes(StandardCharsets.US_ASCII));
      return new java.io.BufferedReader(
              new java.io.InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII))
          .readLine();
    }
  }

  /**
   * A receive that waits, and whose caller goes away meanwhile, takes nothing: the message sent
   * afterwards is not locked for nobody (here for a minute) but goes to the next receive.
   */
  @Test
  void aWaitingReceiveWhoseCallerWentAwayTakesNothing() throws Exception {
    drain("orders");
    try (Socket socket = rawConnection()) {
      startReceive(socket, "max=1&waitMs=30000&lockMs=60000"); // the receive waits
      Thread.sleep(300);
    }
    Thread.sleep(2_000); // the member sees the connection close
    String id = send("orders", "after the caller left", 4);
    JsonNode messages = client.receive("orders", 1, 10_000, 30_000).json().get("messages");
    assertThat(messages).extracting(m -> m.get("messageId").asText()).containsExactly(id);
    client.acknowledge("orders", messages.get(0).get("receipt").asText());
  }

  /**
   * A receive whose caller goes away after its messages are locked, and before it is answered: the
   * messages are given back at once, as the expiry of their locks would give them back, rather than
   * held for nobody until the lock expires (here after a minute). Their deliveries stay counted: at
   * the last redelivery orders allows (2), the message moves to the exception destination.
   */
  @Test
  void theMessagesOfAReceiveWhoseCallerLeftBeforeItsAnswerAreGivenBack() throws Exception {
    drain("orders");
    drain("_SYSTEM.Exception.me1");
    Reply sent =
        client.send(
            "orders",
            new Outgoing("locked for a caller that left").reliability("ASSURED_PERSISTENT"));
    assertThat(sent.status()).isEqualTo(201);
    String id = sent.text("messageId");

    receiveAndLeaveBeforeTheAnswer();
    JsonNode given =
        await()
            .atMost(Duration.ofSeconds(20))
            .until(
                () -> client.receive("orders", 1, 500, 30_000).json().get("messages"),
                messages -> !messages.isEmpty());
    assertThat(given).extracting(m -> m.get("messageId").asText()).containsExactly(id);
    assertThat(given.get(0).get("redeliveryCount").asInt()).isEqualTo(1);
    assertThat(client.release("orders", given.get(0).get("receipt").asText()).status())
        .isEqualTo(204);

    receiveAndLeaveBeforeTheAnswer(); // its third delivery: the last that orders allows
    movedToTheExceptionDestination(id);
  }

  /**
   * Receives the one message of orders over a connection that is closed after the message is locked
   * and before the answer, which the {@code slow-locks} fault holds back for 3 s.
   */
  private static void receiveAndLeaveBeforeTheAnswer() throws Exception {
    assertThat(client.post("/api/v1/test/faults/slow-locks", null).status()).isEqualTo(202);
    try (Socket socket = rawConnection()) {
      startReceive(socket, "max=1&waitMs=0&lockMs=60000");
      await()
          .atMost(Duration.ofSeconds(10))
          .until(
              () -> client.get("/api/v1/destinations/orders").json().get("inFlight").asInt() == 1);
    }
  }

  /**
   * Sends a receive of orders with {@code query} over {@code socket} and its one-byte body after
   * the route's 100 Continue, which says that the route has the call and watches its connection.
   */
  private static void startReceive(Socket socket, String query) throws IOException {
    var out = socket.getOutputStream();
    out.write(
        ("POST /api/v1/destinations/orders/receipts?"
                + query
                + " HTTP/1.1\r\nHost: test\r\nExpect: 100-continue\r\nContent-Length: 1\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII));
    out.flush();
    assertThat(
            new java.io.BufferedReader(
                    new java.io.InputStreamReader(
                        socket.getInputStream(), StandardCharsets.US_ASCII))
                .readLine())
        .contains(" 100 ");
    out.write('x');
    out.flush();
  }

  /**
   * A call served outside the REST layer answers with the REST layer's Content-Type, and its 404
   * for an unknown destination is the REST layer's own, byte for byte.
   */
  private static void assertAnsweredAsTheRestLayer(
      HttpResponse<String> answered, HttpResponse<String> unknown) throws Exception {
    HttpResponse<String> rest =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create(member.url() + "/api/v1/destinations/orders"))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    HttpResponse<String> restUnknown =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create(member.url() + "/api/v1/destinations/nowhere"))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(rest.statusCode()).isEqualTo(200);
    assertThat(answered.headers().firstValue("Content-Type"))
        .isPresent()
        .isEqualTo(rest.headers().firstValue("Content-Type"));
    assertThat(unknown.statusCode()).isEqualTo(404);
    assertThat(restUnknown.statusCode()).isEqualTo(404);
    assertThat(unknown.headers().firstValue("Content-Type"))
        .isPresent()
        .isEqualTo(restUnknown.headers().firstValue("Content-Type"));
    assertThat(unknown.body()).isEqualTo(restUnknown.body());
  }

  @Test
  void aChangedBusConfigurationIsLoadedWhileRunning() throws IOException {
    assertThat(client.send("audit", new Outgoing("x")).status()).isEqualTo(404);
    CLUSTER
        .get()
        .writeBusFile(
            """
            bus: itbus
            engines: [{name: me1}, {name: me2}]
            destinations:
              - {name: orders, localizedOn: me1, maxRedeliveries: 2}
              - {name: events, localizedOn: me1, defaultReliability: RELIABLE_PERSISTENT}
              - {name: audit, localizedOn: me1}
            """);
    await()
        .atMost(Duration.ofSeconds(15))
        .until(() -> client.send("audit", new Outgoing("x")).status() == 201);
    assertThat(receiveAll("audit", 1)).hasSize(1);
  }

  @Test
  void depthAndMetricsAreReported() throws Exception {
    drain("events");
    send("events", "one", 4);
    send("events", "two", 4);
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> client.destination("events").json().get("depth").asInt() == 2);
    JsonNode destinations = client.destinations().json().get("destinations");
    assertThat(destinations.findValuesAsText("name"))
        .contains("orders", "events", "_SYSTEM.Exception.me1")
        .doesNotContain("shipments");
    assertThat(metrics())
        .contains("sibus_messages_sent_total")
        .contains("sibus_group_commit_batch_size")
        .contains("sibus_engine_activations_total")
        .contains("sibus_destination_depth{destination=\"events\"} 2.0")
        .contains("sibus_engine_state{state=\"ACTIVE\"} 1.0");
    drain("events");
  }

  @Test
  void theActiveMemberVacuumsItsMessageTableOnceItHoldsEnoughDeadRows() throws Exception {
    drain("orders");
    long before = manualVacuums();
    for (int i = 0; i < 3 * VACUUM_THRESHOLD; i++) {
      send("orders", "churn " + i, 4);
    }
    drain("orders");
    // Autovacuum counts in autovacuum_count; vacuum_count is only the engine's own VACUUM.
    await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(250))
        .until(() -> manualVacuums() > before);
  }

  /**
   * Operations (sends, locks, acknowledgements, not rows) the member's group commit has committed
   * so far: the sum of its batch-size summary.
   */
  private static double committedOperations() throws Exception {
    Matcher sum =
        Pattern.compile("^sibus_group_commit_batch_size_sum\\S* ([0-9.E]+)", Pattern.MULTILINE)
            .matcher(metrics());
    assertThat(sum.find()).as("the group-commit batch sizes in the metrics").isTrue();
    return Double.parseDouble(sum.group(1));
  }

  private static String metrics() throws Exception {
    return HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(URI.create(member.url() + "/q/metrics")).build(),
            HttpResponse.BodyHandlers.ofString())
        .body();
  }

  private static long manualVacuums() throws SQLException {
    try (Connection c = CLUSTER.get().postgres().connect();
        PreparedStatement s =
            c.prepareStatement(
                "SELECT vacuum_count FROM pg_stat_user_tables WHERE schemaname = ? AND relname = ?")) {
      s.setString(1, SchemaName.forEngine("me1").value());
      s.setString(2, StoreTables.MESSAGE.name());
      try (ResultSet rs = s.executeQuery()) {
        assertThat(rs.next()).as("statistics of the message table").isTrue();
        return rs.getLong(1);
      }
    }
  }

  private static void assertError(Reply reply, int status, String code) {
    assertThat(reply.status()).as(reply.toString()).isEqualTo(status);
    assertThat(reply.text("code")).as(reply.toString()).isEqualTo(code);
    assertThat(reply.text("message")).isNotBlank();
    assertThat(reply.text("userAction")).isNotBlank();
    assertThat(reply.json().toString()).doesNotContain("Exception").doesNotContain("at io.");
  }

  private static String send(String destination, String body, int priority) throws IOException {
    Reply reply = client.send(destination, new Outgoing(body).priority(priority));
    assertThat(reply.status()).as(reply.toString()).isEqualTo(201);
    return reply.text("messageId");
  }

  private static List<JsonNode> receiveAll(String destination, int count) throws IOException {
    List<JsonNode> out = new ArrayList<>();
    long deadline = System.currentTimeMillis() + 10_000;
    while (out.size() < count && System.currentTimeMillis() < deadline) {
      Reply reply = client.receive(destination, count - out.size(), 1_000, 30_000);
      assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
      reply.json().get("messages").forEach(out::add);
    }
    return out;
  }

  private static void drain(String destination) throws IOException {
    while (true) {
      JsonNode messages = client.receive(destination, 100, 0, 30_000).json().get("messages");
      if (messages.isEmpty()) {
        return;
      }
      for (JsonNode m : messages) {
        client.acknowledge(destination, m.get("receipt").asText());
      }
    }
  }
}
