package io.sibus.engine.streams;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sibus.engine.bus.BusConfigSource;
import io.sibus.engine.bus.BusTopology;
import io.sibus.engine.config.SibusConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Calls to the other engines of the bus, at the URLs the bus configuration gives (an engine's
 * Service, or its members): a member that is not active answers 503 naming the active one, which is
 * tried next. Authenticated with the bus's shared secret.
 */
@ApplicationScoped
public class Peers {
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * Calls are synchronous: the selector thread completes each response itself rather than waking a
   * pool thread to do it.
   */
  private final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(2))
          .executor(Runnable::run)
          .build();

  private final BusConfigSource bus;
  private final SibusConfig config;
  private final Map<String, String> lastGood = new ConcurrentHashMap<>();

  public Peers(BusConfigSource bus, SibusConfig config) {
    this.bus = bus;
    this.config = config;
  }

  /** The bus secret engines authenticate each other with, if any. */
  public Optional<String> secret() {
    return config.bus().secret().or(() -> Optional.ofNullable(bus.current().secret()));
  }

  /** A peer did not answer, or refused. */
  public static final class PeerException extends Exception {
    final int status;

    PeerException(String message, int status) {
      super(message);
      this.status = status;
    }

    public int status() {
      return status;
    }
  }

  public <T> T post(String engine, String path, Object body, Class<T> answer) throws PeerException {
    String json = json(body);
    List<String> urls = urls(engine);
    if (urls.isEmpty()) {
      throw new PeerException("engine " + engine + " is not in the bus configuration", 0);
    }
    PeerException last = null;
    for (int hop = 0; hop < urls.size() + 2; hop++) {
      String url = urls.get(hop % urls.size());
      String preferred = lastGood.get(engine);
      if (hop == 0 && preferred != null) {
        url = preferred;
      }
      try {
        HttpResponse<String> response =
            http.send(request(url + path, json), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() / 100 == 2) {
          lastGood.put(engine, url);
          return answer == Void.class || response.body().isEmpty()
              ? null
              : JSON.readValue(response.body(), answer);
        }
        JsonNode error = parse(response.body());
        last = refusal(engine, response.statusCode(), error);
        String active = error.path("activeUrl").asText(null);
        if (response.statusCode() == 503 && active != null && !active.equals(url)) {
          lastGood.put(engine, active);
          continue;
        }
        if (response.statusCode() != 503) {
          throw last;
        }
      } catch (IOException e) {
        last = new PeerException(engine + " at " + url + " did not answer: " + e.getMessage(), 0);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new PeerException("interrupted", 0);
      }
      lastGood.remove(engine);
    }
    throw last;
  }

  private static String json(Object body) {
    try {
      return JSON.writeValueAsString(body);
    } catch (IOException e) {
      throw new IllegalStateException(e); // a protocol record: always writable
    }
  }

  /** {@code engine}'s answer {@code status} with its {@code error} body, as a failure. */
  private static PeerException refusal(String engine, int status, JsonNode error) {
    return new PeerException(
        engine
            + " answered "
            + status
            + " "
            + error.path("code").asText("")
            + " "
            + error.path("message").asText(""),
        status);
  }

  private HttpRequest request(String url, String json) {
    HttpRequest.Builder builder =
        HttpRequest.newBuilder(URI.create(url))
            .timeout(Duration.ofSeconds(15))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(json));
    secret().ifPresent(s -> builder.header("Authorization", "Bearer " + s));
    return builder.build();
  }

  private List<String> urls(String engine) {
    BusTopology topology = bus.current();
    return topology.engine(engine).map(e -> new ArrayList<>(e.urls())).orElse(new ArrayList<>());
  }

  /** The path of a stream endpoint for messages from {@code source}. */
  public static String path(String source, String action) {
    return "/api/v1/streams/" + URLEncoder.encode(source, StandardCharsets.UTF_8) + "/" + action;
  }

  private static JsonNode parse(String body) {
    try {
      return JSON.readTree(body == null || body.isEmpty() ? "{}" : body);
    } catch (IOException e) {
      return JSON.createObjectNode();
    }
  }
}
