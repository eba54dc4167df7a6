package io.sibus.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.apache.http.Header;
import org.apache.http.HttpEntity;
import org.apache.http.client.config.RequestConfig;
import org.apache.http.client.methods.CloseableHttpResponse;
import org.apache.http.client.methods.RequestBuilder;
import org.apache.http.entity.ByteArrayEntity;
import org.apache.http.impl.client.CloseableHttpClient;
import org.apache.http.impl.client.DefaultHttpRequestRetryHandler;
import org.apache.http.impl.client.HttpClients;
import org.apache.http.util.EntityUtils;

/**
 * A small client of one engine member's HTTP API (CONTRACT.md), for the sibus command, the tests
 * and the benchmarks. Failures to connect surface as {@link IOException}; HTTP errors are returned
 * as {@link Reply} with their status and JSON body.
 */
public final class EngineClient {
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * A blocking client: the calling thread writes the request and reads the answer itself, so a call
   * wakes no other thread of this process. Measured on the benchmark at 16 producers, the load
   * generator's CPU per message fell from 0.12 ms (java.net.http, whose selector thread reads every
   * answer and wakes the caller) to 0.08 ms.
   *
   * <p>A request is retried here only when it could not be written whole, as on a kept-alive
   * connection that the server or a proxy in between has reset since its last use: the engine
   * cannot have acted on a request it never received. One that was written and may have reached the
   * engine is for the caller to repeat or not ({@link MemberSetClient}).
   */
  private static final CloseableHttpClient HTTP =
      HttpClients.custom()
          .setDefaultRequestConfig(
              RequestConfig.custom()
                  .setConnectTimeout(2_000)
                  .setSocketTimeout(70_000)
                  .setConnectionRequestTimeout(70_000)
                  .build())
          .setMaxConnPerRoute(256)
          .setMaxConnTotal(1024)
          .setRetryHandler(new DefaultHttpRequestRetryHandler(3, false))
          .disableCookieManagement()
          .build();

  /**
   * The retries of {@link #HTTP} are expected and handled (a member killed, a proxy that reset an
   * idle connection), yet Apache HttpClient announces each at INFO, on the standard error of the
   * sibus command. Kept in a field: java.util.logging holds its loggers by weak reference only.
   */
  static final Logger RETRY_LOG = Logger.getLogger("org.apache.http.impl.execchain.RetryExec");

  static {
    RETRY_LOG.setLevel(Level.WARNING);
  }

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

  /** The path of a destination's messages (a send). */
  public static String messagesPath(String destination) {
    return destinationPath(destination) + "/messages";
  }

  /** The path of a receive of at most {@code max} messages. */
  public static String receiptsPath(String destination, int max, long waitMs, long lockMs) {
    return destinationPath(destination)
        + "/receipts?max="
        + max
        + "&waitMs="
        + waitMs
        + "&lockMs="
        + lockMs;
  }

  /** The path of one receipt (its acknowledgement, with DELETE). */
  public static String receiptPath(String destination, String receipt) {
    return destinationPath(destination) + "/receipts/" + encode(receipt);
  }

  /** The path of a batch acknowledgement. */
  public static String acknowledgementsPath(String destination) {
    return destinationPath(destination) + "/acknowledgements";
  }

  private static String destinationPath(String destination) {
    return "/api/v1/destinations/" + encode(destination);
  }

  public Reply send(String destination, Outgoing message) throws IOException {
    RequestBuilder request =
        request("POST", messagesPath(destination)).setEntity(new ByteArrayEntity(message.body));
    if (!message.headers.containsKey("Content-Type")) {
      request.setHeader("Content-Type", "text/plain");
    }
    message.headers.forEach(request::setHeader);
    return call(request);
  }

  public Reply receive(String destination, int max, long waitMs, long lockMs) throws IOException {
    return call(request("POST", receiptsPath(destination, max, waitMs, lockMs)));
  }

  public Reply acknowledge(String destination, String receipt) throws IOException {
    return call(request("DELETE", receiptPath(destination, receipt)));
  }

  /** Acknowledges several receipts in one request; the reply names those whose locks are gone. */
  public Reply acknowledgeAll(String destination, List<String> receipts) throws IOException {
    return post(
        acknowledgementsPath(destination), JSON.writeValueAsString(Map.of("receipts", receipts)));
  }

  public Reply release(String destination, String receipt) throws IOException {
    return call(request("POST", receiptPath(destination, receipt) + "/release"));
  }

  public Reply destinations() throws IOException {
    return get("/api/v1/destinations");
  }

  public Reply destination(String name) throws IOException {
    return get(destinationPath(name));
  }

  public Reply engine() throws IOException {
    return get("/api/v1/engine");
  }

  public Reply start(String mode) throws IOException {
    return post("/api/v1/engine/start", "{\"mode\":\"" + mode + "\"}");
  }

  public Reply stop() throws IOException {
    return call(request("POST", "/api/v1/engine/stop"));
  }

  public Reply get(String path) throws IOException {
    return call(request("GET", path));
  }

  public Reply post(String path, String json) throws IOException {
    return call(
        request("POST", path)
            .setHeader("Content-Type", "application/json")
            .setEntity(new ByteArrayEntity(utf8(json == null ? "" : json))));
  }

  /** The status of a health endpoint ({@code live}, {@code ready}, {@code started}), or -1. */
  public int health(String which) {
    try {
      return call(request("GET", "/q/health/" + which)).status();
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

  /** A request to this member; a POST without a body still says so with a length of 0. */
  private RequestBuilder request(String method, String path) {
    RequestBuilder builder = RequestBuilder.create(method).setUri(baseUrl + path);
    if (method.equals("POST")) {
      builder.setEntity(new ByteArrayEntity(new byte[0]));
    }
    if (token != null) {
      builder.setHeader("Authorization", "Bearer " + token);
    }
    return builder;
  }

  private Reply call(RequestBuilder request) throws IOException {
    try (CloseableHttpResponse response = HTTP.execute(request.build())) {
      HttpEntity entity = response.getEntity();
      byte[] body = entity == null ? new byte[0] : EntityUtils.toByteArray(entity);
      JsonNode json = jsonOrText(body);
      Header retryAfter = response.getFirstHeader("Retry-After");
      return new Reply(
          response.getStatusLine().getStatusCode(),
          json,
          retryAfter == null ? null : retryAfter.getValue());
    }
  }

  /** An answer's body as JSON, or as a JSON text node when it is not JSON; null when empty. */
  public static JsonNode jsonOrText(byte[] body) {
    if (body.length == 0) {
      return null;
    }
    try {
      return JSON.readTree(body);
    } catch (IOException notJson) {
      return JSON.getNodeFactory().textNode(new String(body, StandardCharsets.UTF_8));
    }
  }

  private static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private static String encode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
  }
}
