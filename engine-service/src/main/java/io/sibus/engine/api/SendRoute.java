package io.sibus.engine.api;

import io.sibus.engine.config.SibusConfig;
import io.sibus.engine.messaging.Messaging;
import io.sibus.engine.messaging.SendResult;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.ws.rs.core.MediaType;
import java.util.Locale;
import org.jboss.resteasy.reactive.common.util.CaseInsensitiveMap;

/**
 * Serves the send ({@code POST /api/v1/destinations/{d}/messages}) on Vert.x directly, outside the
 * REST layer: the send is the one call made once per message, and the REST layer's request
 * pipeline, writer lookup and body copies were about a sixth of the member's CPU per send. The
 * answers are those of {@link DestinationsResource#send}: the same parser, token check and error
 * bodies. A request that asks for an answer other than JSON goes on to the REST layer, which
 * refuses it as it refuses any other call.
 */
@ApplicationScoped
public class SendRoute {
  static final String PATH = "/api/v1/destinations/:destination/messages";

  /** A body sent without a length is read on, and thrown away, up to the HTTP layer's own limit. */
  private static final long MAX_DISCARDED = 64L << 20;

  private final Messaging messaging;
  private final TokenFilter tokens;
  private final int maxSize;

  public SendRoute(Messaging messaging, TokenFilter tokens, SibusConfig config) {
    this.messaging = messaging;
    this.tokens = tokens;
    this.maxSize = config.engine().maxMessageSize();
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
    var refusal = tokens.refusal(request.path(), request.getHeader("Authorization"));
    if (refusal.isPresent()) {
      ErrorBody.end(rc.response(), refusal.get());
      return;
    }
    String destination = rc.pathParam("destination");
    Context context = Vertx.currentContext();
    Buffer body = Buffer.buffer();
    long[] received = {0};
    request.handler(
        chunk -> {
          received[0] += chunk.length();
          if (received[0] <= maxSize) {
            body.appendBuffer(chunk);
          } else if (received[0] > MAX_DISCARDED) {
            request.pause();
            answerTooLarge(rc, received[0]).onComplete(x -> request.connection().close());
          }
        });
    request.endHandler(
        end -> {
          if (received[0] > MAX_DISCARDED) {
            return; // answered already
          }
          if (received[0] > maxSize) {
            answerTooLarge(rc, received[0]);
            return;
          }
          send(rc, context, destination, body.getBytes());
        });
    if ("100-continue".equalsIgnoreCase(request.getHeader("Expect"))) {
      rc.response().writeContinue();
    }
    request.resume();
  }

  private void send(RoutingContext rc, Context context, String destination, byte[] body) {
    try {
      CaseInsensitiveMap<String> headers = new CaseInsensitiveMap<>();
      rc.request().headers().forEach(h -> headers.add(h.getKey(), h.getValue()));
      messaging
          .send(destination, SendRequestParser.parse(body, headers, maxSize))
          .whenComplete(
              (result, failure) -> context.runOnContext(v -> answer(rc, result, failure)));
    } catch (RuntimeException e) {
      answer(rc, null, e);
    }
  }

  private static void answer(RoutingContext rc, SendResult result, Throwable failure) {
    if (failure != null) {
      ErrorBody.end(rc.response(), ErrorMappers.answer(failure));
      return;
    }
    rc.response()
        .setStatusCode(201)
        .putHeader("Content-Type", MediaType.APPLICATION_JSON)
        .end(
            new JsonObject()
                .put("messageId", result.messageId())
                .put("duplicate", result.duplicate())
                .encode());
  }

  private Future<Void> answerTooLarge(RoutingContext rc, long size) {
    return ErrorBody.end(rc.response(), SendRequestParser.tooLarge(size, maxSize));
  }

  /** Whether an {@code Accept} header lets the answer be JSON (no header lets anything). */
  static boolean acceptsJson(String accept) {
    if (accept == null || accept.isBlank()) {
      return true;
    }
    for (String range : accept.split(",")) {
      String type = range.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
      if (type.equals("*/*") || type.equals("application/*") || type.equals("application/json")) {
        return true;
      }
    }
    return false;
  }
}
