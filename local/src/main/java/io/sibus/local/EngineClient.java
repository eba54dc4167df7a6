package io.sibus.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A small client of one engine member's HTTP API (CONTRACT.md), for the sibus command, the tests
 * and the benchmarks. Failures to connect surface as {@link IOException}; HTTP errors are returned
 * as {@link Reply} with their status and JSON body.
 */
public final class EngineClient {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(2))
          .build();

  private final String baseUrl;
  private final String token;

  public EngineClient(String baseUrl) {
    this(baseUrl, null);
  }

  public EngineClient(String baseUrl, String token) {
    this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
    this.token = token;
  }

  public String baseUrl() {
    return baseUrl;
  }

  /** A response: status, headers of interest and the parsed JSON body (null when empty). */
  public record Reply(int status, JsonNode json, String retryAfter) {
    public boolean ok() {
      return status >= 200 && status < 300;
    }

    public String text(String field) {
      return json == null || json.get(field) == null ? null : json.get(field).asText();
    }

    @Override
    public String toString() {
      return status + " " + (json == null ? "" : json.toString());
    }
  }

  /** A message to send: body and the optional headers of the send API. */
  public static final class Outgoing {
    final byte[] body;
    final Map<String, String> headers = new LinkedHashMap<>();

    public Outgoing(byte[] body) {
      this.body = body;
    }

    public Outgoing(String body) {
      this(body.getBytes(StandardCharsets.UTF_8));
    }

    public Outgoing reliability(String value) {
      return header("Sibus-Reliability", value);
    }

    public Outgoing priority(int value) {
      return header("Sibus-Priority", Integer.toString(value));
    }

    public Outgoing timeToLive(long millis) {
      return header("Sibus-Time-To-Live", Long.toString(millis));
    }

    public Outgoing idempotencyKey(String value) {
      return header("Idempotency-Key", value);
    }

    public Outgoing property(String name, String value) {
      return header("Sibus-Property-" + name, value);
    }

    public Outgoing contentType(String value) {
      return header("Content-Type", value);
    }

    public Outgoing header(String name, String value) {
      headers.put(name, value);
      return this;
    }
  }

  public Reply send(String destination, Outgoing message) throws IOException {
    HttpRequest.Builder request =
        request("/api/v1/destinations/" + encode(destination) + "/messages")
            .POST(HttpRequest.BodyPublishers.ofByteArray(message.body));
    if (!message.headers.containsKey("Content-Type")) {
      request.header("Content-Type", "text/plain");
    }
    message.headers.forEach(request::header);
    return call(request);
  }

  public Reply receive(String destination, int max, long waitMs, long lockMs) throws IOException {
    String path =
        "/api/v1/destinations/"
            + encode(destination)
            + "/receipts?max="
            + max
            + "&waitMs="
            + waitMs
            + "&lockMs="
            + lockMs;
    return call(request(path).POST(HttpRequest.BodyPublishers.noBody()));
  }

  public Reply acknowledge(String destination, String receipt) throws IOException {
    return call(
        request("/api/v1/destinations/" + encode(destination) + "/receipts/" + encode(receipt))
            .DELETE());
  }

  /** Acknowledges several receipts in one request; the reply names those whose locks are gone. */
  public Reply acknowledgeAll(String destination, List<String> receipts) throws IOException {
    return post(
        "/api/v1/destinations/" + encode(destination) + "/acknowledgements",
        JSON.writeValueAsString(Map.of("receipts", receipts)));
  }

  public Reply release(String destination, String receipt) throws IOException {
    return call(
        request(
                "/api/v1/destinations/"
                    + encode(destination)
                    + "/receipts/"
                    + encode(receipt)
                    + "/release")
            .POST(HttpRequest.BodyPublishers.noBody()));
  }

  public Reply destinations() throws IOException {
    return get("/api/v1/destinations");
  }

  public Reply destination(String name) throws IOException {
    return get("/api/v1/destinations/" + encode(name));
  }

  public Reply engine() throws IOException {
    return get("/api/v1/engine");
  }

  public Reply start(String mode) throws IOException {
    return call(
        request("/api/v1/engine/start")
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString("{\"mode\":\"" + mode + "\"}")));
  }

  public Reply stop() throws IOException {
    return call(request("/api/v1/engine/stop").POST(HttpRequest.BodyPublishers.noBody()));
  }

  public Reply get(String path) throws IOException {
    return call(request(path).GET());
  }

  public Reply post(String path, String json) throws IOException {
    return call(
        request(path)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(json == null ? "" : json)));
  }

  /** The status of a health endpoint ({@code live}, {@code ready}, {@code started}), or -1. */
  public int health(String which) {
    try {
      return call(request("/q/health/" + which).GET()).status();
    } catch (IOException e) {
      return -1;
    }
  }

  /**
   * Receives and acknowledges until the destination answers empty: the bodies in arrival order,
   * each with how often it came.
   */
  public Map<String, Integer> drain(String destination) throws IOException {
    Map<String, Integer> seen = new LinkedHashMap<>();
    while (true) {
      Reply reply = receive(destination, 100, 1000, 30_000);
      if (!reply.ok()) {
        throw new IOException("receive from " + destination + " answered " + reply);
      }
      JsonNode batch = reply.json().get("messages");
      if (batch == null || batch.isEmpty()) {
        return seen;
      }
      for (JsonNode m : batch) {
        seen.merge(bodyText(m), 1, Integer::sum);
        Reply ack = acknowledge(destination, m.get("receipt").asText());
        if (!ack.ok()) {
          throw new IOException("acknowledge on " + destination + " answered " + ack);
        }
      }
    }
  }

  /** The destination's depth, or -1 when the engine does not answer it. */
  public long depth(String destination) {
    try {
      Reply reply = destination(destination);
      return reply.ok() ? reply.json().get("depth").asLong() : -1;
    } catch (IOException e) {
      return -1;
    }
  }

  /** Decodes the base64 body of a received message. */
  public static String bodyText(JsonNode message) {
    return new String(
        Base64.getDecoder().decode(message.get("body").asText()), StandardCharsets.UTF_8);
  }

  private HttpRequest.Builder request(String path) {
    HttpRequest.Builder builder =
        HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(Duration.ofSeconds(70));
    if (token != null) {
      builder.header("Authorization", "Bearer " + token);
    }
    return builder;
  }

  private Reply call(HttpRequest.Builder request) throws IOException {
    try {
      HttpResponse<byte[]> response =
          HTTP.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
      byte[] body = response.body();
      JsonNode json = null;
      if (body.length > 0) {
        try {
          json = JSON.readTree(body);
        } catch (IOException notJson) {
          json = JSON.getNodeFactory().textNode(new String(body, StandardCharsets.UTF_8));
        }
      }
      return new Reply(
          response.statusCode(), json, response.headers().firstValue("Retry-After").orElse(null));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
  }

  private static String encode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
  }
}
