package io.sibus.engine.api;

import io.quarkus.runtime.configuration.MemorySize;
import io.sibus.engine.config.SibusConfig;
import io.sibus.engine.messaging.Messaging;
import io.sibus.engine.messaging.SendResult;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.Locale;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.resteasy.reactive.common.util.CaseInsensitiveMap;

/**
 * Serves the send ({@code POST /api/v1/destinations/{d}/messages}) on Vert.x directly, outside the
 * REST layer: the send is the one call made once per message, and the REST layer's request
 * pipeline, writer lookup and body copies were about a sixth of the member's CPU per send. The
 * answers are those of the rest of the API: the same parser, token check and error bodies. A
 * request that asks for an answer other than JSON goes on to the REST layer, which refuses it as it
 * refuses any other call.
 */
@ApplicationScoped
public class SendRoute {
  static final String PATH = "/api/v1/destinations/:destination/messages";

  /** As the REST layer answers a call that succeeds (its errors say no charset: ErrorBody). */
  static final String JSON = "application/json;charset=UTF-8";

  private final Messaging messaging;
  private final TokenFilter tokens;
  private final int maxSize;
  private final long maxBodySize;

  public SendRoute(
      Messaging messaging,
      TokenFilter tokens,
      SibusConfig config,
      @ConfigProperty(name = "quarkus.http.limits.max-body-size") MemorySize maxBodySize) {
    this.messaging = messaging;
    this.tokens = tokens;
    this.maxSize = config.engine().maxMessageSize();
    this.maxBodySize = maxBodySize.asLongValue();
  }

  void install(@Observes Router router) {
    // After BodyLimit (-10), which refuses an oversized Content-Length before any body is read.
    router.post(PATH).order(-5).handler(this::handle);
  }

  private void handle(RoutingContext rc) {
    HttpServerRequest request = rc.request();
    if (!acceptsJson(request.getHeader("Accept"))) {
      rc.next();
      return;
    }
    // The path the route matched (percent-encoded letters decoded), as the REST layer's filter saw.
    var refusal = tokens.refusal(rc.normalizedPath(), request.getHeader("Authorization"));
    if (refusal.isPresent()) {
      ErrorBody.end(rc.response(), refusal.get());
      return;
    }
    new Body(rc).read();
  }

  /**
   * One send's body, read up to the engine's message size. A larger body without a length is read
   * on and thrown away, as the REST layer did, so that its sender hears the 413 rather than a
   * broken connection; past the HTTP layer's own limit the exchange is cut.
   */
  private final class Body {
    private final RoutingContext rc;
    private final Context context = Vertx.currentContext();
    private final Buffer bytes = Buffer.buffer();
    private long length;
    private boolean answered;

    Body(RoutingContext rc) {
      this.rc = rc;
    }

    void read() {
      HttpServerRequest request = rc.request();
      request.handler(this::chunk);
      request.endHandler(end -> ended());
      if ("100-continue".equalsIgnoreCase(request.getHeader("Expect"))) {
        rc.response().writeContinue();
      }
      request.resume();
    }

    private void chunk(Buffer chunk) {
      if (answered) {
        return;
      }
      length += chunk.length();
      if (length <= maxSize) {
        bytes.appendBuffer(chunk);
      } else if (length > maxBodySize) {
        answered = true;
        rc.response().putHeader("Connection", "close");
        ErrorBody.end(rc.response(), SendRequestParser.tooLarge(length, maxSize))
            .onComplete(x -> cut());
      }
    }

    private void cut() {
      if (rc.request().version() == HttpVersion.HTTP_2) {
        rc.response().reset(); // this stream only: others share the connection
      } else {
        rc.request().connection().close();
      }
    }

    private void ended() {
      if (answered) {
        return;
      }
      answered = true;
      if (length > maxSize) {
        ErrorBody.end(rc.response(), SendRequestParser.tooLarge(length, maxSize));
        return;
      }
      try {
        CaseInsensitiveMap<String> headers = new CaseInsensitiveMap<>();
        rc.request().headers().forEach(h -> headers.add(h.getKey(), h.getValue()));
        messaging
            .send(
                rc.pathParam("destination"),
                SendRequestParser.parse(bytes.getBytes(), headers, maxSize))
            .whenComplete((result, failure) -> context.runOnContext(v -> answer(result, failure)));
      } catch (Throwable e) { // every failure is answered, as the REST layer answered it
        answer(null, e);
      }
    }

    private void answer(SendResult result, Throwable failure) {
      if (failure != null) {
        ErrorBody.end(rc.response(), ErrorMappers.answer(failure));
        return;
      }
      rc.response()
          .setStatusCode(201)
          .putHeader("Content-Type", JSON)
          .end(
              new JsonObject()
                  .put("messageId", result.messageId())
                  .put("duplicate", result.duplicate())
                  .encode());
    }
  }

  /**
   * Whether an {@code Accept} header lets the answer be JSON: no header, or a media range that
   * covers {@code application/json} with a quality above zero.
   */
  static boolean acceptsJson(String accept) {
    if (accept == null || accept.isBlank()) {
      return true;
    }
    for (String range : accept.split(",")) {
      String[] parts = range.split(";");
      String type = parts[0].trim().toLowerCase(Locale.ROOT);
      boolean json =
          type.equals("*/*") || type.equals("application/*") || type.equals("application/json");
      if (json && !excluded(parts)) {
        return true;
      }
    }
    return false;
  }

  private static boolean excluded(String[] parameters) {
    for (int i = 1; i < parameters.length; i++) {
      String[] parameter = parameters[i].split("=", 2);
      if (parameter.length == 2 && parameter[0].trim().equalsIgnoreCase("q")) {
        try {
          return Double.parseDouble(parameter[1].trim()) <= 0;
        } catch (NumberFormatException e) {
          return false; // an unreadable quality counts as none given
        }
      }
    }
    return false;
  }
}
