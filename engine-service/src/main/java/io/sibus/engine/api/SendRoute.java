package io.sibus.engine.api;

import io.sibus.engine.config.SibusConfig;
import io.sibus.engine.messaging.Messaging;
import io.sibus.engine.messaging.SendResult;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.resteasy.reactive.common.util.CaseInsensitiveMap;

/**
 * Serves the send ({@code POST /api/v1/destinations/{d}/messages}) on Vert.x directly, outside the
 * REST layer: the send is the one call made once per message, and the REST layer's request
 * pipeline, writer lookup and body copies were about a sixth of the member's CPU per send. The
 * answers are those of the rest of the API ({@link ApiRoutes}), with the same parser.
 */
@ApplicationScoped
public class SendRoute {
  static final String PATH = "/api/v1/destinations/:destination/messages";

  private final Messaging messaging;
  private final RouteAdmission admission;
  private final int maxSize;

  public SendRoute(Messaging messaging, RouteAdmission admission, SibusConfig config) {
    this.messaging = messaging;
    this.admission = admission;
    this.maxSize = config.engine().maxMessageSize();
  }

  void install(@Observes Router router) {
    // After BodyLimit (-10), which refuses an oversized Content-Length before any body is read.
    router.post(PATH).order(-5).handler(this::handle);
  }

  private void handle(RoutingContext rc) {
    if (!admission.admit(rc)) {
      return;
    }
    // A larger body than a message is read on and thrown away, as the REST layer did.
    admission
        .body(rc, maxSize, length -> SendRequestParser.tooLarge(length, maxSize))
        .read((body, length) -> send(rc, body, length));
  }

  private void send(RoutingContext rc, Buffer body, long length) {
    ApiRoutes.answer(
        rc,
        () -> {
          if (length > maxSize) {
            throw SendRequestParser.tooLarge(length, maxSize);
          }
          CaseInsensitiveMap<String> headers = new CaseInsensitiveMap<>();
          rc.request().headers().forEach(h -> headers.add(h.getKey(), h.getValue()));
          return messaging.send(
              rc.pathParam("destination"),
              SendRequestParser.parse(body.getBytes(), headers, maxSize));
        },
        201,
        SendRoute::json);
  }

  private static Buffer json(SendResult result) {
    return new JsonObject()
        .put("messageId", result.messageId())
        .put("duplicate", result.duplicate())
        .toBuffer();
  }
}
