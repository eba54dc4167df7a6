package io.sibus.operator.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sibus.operator.OperatorConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** The admin API over HTTP, with short timeouts: a member that does not answer is UNKNOWN. */
@ApplicationScoped
public class HttpEngineAdmin implements EngineAdmin {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final HttpClient http;
  private final Duration timeout;

  public HttpEngineAdmin(OperatorConfig config) {
    this.timeout = config.adminTimeout();
    this.http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(timeout)
            .build();
  }

  @Override
  public EngineReport report(String memberUrl) {
    try {
      HttpResponse<String> response = http.send(get(memberUrl + "/api/v1/engine"), body());
      if (response.statusCode() != 200) {
        return EngineReport.UNREACHABLE;
      }
      JsonNode engine = JSON.readTree(response.body());
      JsonNode error = engine.path("lastError");
      return new EngineReport(
          engine.path("state").asText("UNKNOWN"),
          text(engine, "startMode"),
          text(engine, "activeMember"),
          engine.path("failoverSuppressed").asBoolean(false),
          text(error, "class"),
          text(error, "code"),
          text(error, "message"),
          engine.path("restoreDetected").asBoolean(false),
          text(engine, "flush"));
    } catch (IOException e) {
      return EngineReport.UNREACHABLE;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return EngineReport.UNREACHABLE;
    }
  }

  @Override
  public boolean start(String memberUrl, String mode) {
    return post(memberUrl + "/api/v1/engine/start", "{\"mode\":\"" + mode + "\"}");
  }

  @Override
  public boolean stop(String memberUrl) {
    return post(memberUrl + "/api/v1/engine/stop", "{}");
  }

  @Override
  public long depth(String memberUrl, String destination) {
    try {
      String name = URLEncoder.encode(destination, StandardCharsets.UTF_8).replace("+", "%20");
      HttpResponse<String> response =
          http.send(get(memberUrl + "/api/v1/destinations/" + name), body());
      return response.statusCode() == 200
          ? JSON.readTree(response.body()).path("depth").asLong(-1)
          : -1;
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  private boolean post(String url, String json) {
    try {
      HttpRequest request =
          HttpRequest.newBuilder(URI.create(url))
              .timeout(timeout)
              .header("Content-Type", "application/json")
              .POST(HttpRequest.BodyPublishers.ofString(json))
              .build();
      int status = http.send(request, body()).statusCode();
      return status >= 200 && status < 300;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private HttpRequest get(String url) {
    return HttpRequest.newBuilder(URI.create(url)).timeout(timeout).GET().build();
  }

  private static HttpResponse.BodyHandler<String> body() {
    return HttpResponse.BodyHandlers.ofString();
  }

  private static String text(JsonNode node, String field) {
    JsonNode value = node.get(field);
    return value == null || value.isNull() ? null : value.asText();
  }
}
