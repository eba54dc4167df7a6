package io.sibus.engine.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.runtime.configuration.MemorySize;
import io.sibus.engine.error.ApiException;
import io.sibus.engine.messaging.Messaging;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Serves the receive ({@code POST .../receipts}) and the batch acknowledgement ({@code POST
 * .../acknowledgements}) on Vert.x directly, outside the REST layer, as {@link SendRoute} serves
 * the send: under load they are most of what the member's event loops spend besides the sends, and
 * the sends wait behind them. The checks are {@link DestinationsResource}'s and the JSON is written
 * and read by the same {@link ObjectMapper} as the REST layer's, so the answers are the API's.
 *
 * <p>One thing the REST layer could not do: a receive whose caller goes away while it waits ends
 * there, rather than lock messages that nobody gets until their locks expire.
 */
@ApplicationScoped
public class DeliveryRoutes {
  static final String RECEIVE = "/api/v1/destinations/:destination/receipts";
  static final String ACKNOWLEDGE = "/api/v1/destinations/:destination/acknowledgements";

  private final Messaging messaging;
  private final TokenFilter tokens;
  private final ObjectMapper json;
  private final long maxBodySize;

  public DeliveryRoutes(
      Messaging messaging,
      TokenFilter tokens,
      ObjectMapper json,
      @ConfigProperty(name = "quarkus.http.limits.max-body-size") MemorySize maxBodySize) {
    this.messaging = messaging;
    this.tokens = tokens;
    this.json = json;
    this.maxBodySize = maxBodySize.asLongValue();
  }

  void install(@Observes Router router) {
    router.post(RECEIVE).order(-5).handler(this::receive);
    router.post(ACKNOWLEDGE).order(-5).handler(this::acknowledge);
  }

  private void receive(RoutingContext rc) {
    if (!ApiRoutes.admit(rc, tokens)) {
      return;
    }
    AtomicBoolean gone = new AtomicBoolean();
    rc.response().closeHandler(v -> gone.set(true));
    // A receive's body means nothing; it is read and thrown away, as the REST layer did.
    body(rc, 0)
        .read(
            (body, length) ->
                ApiRoutes.answer(
                    rc,
                    () ->
                        DestinationsResource.receive(
                            messaging,
                            rc.pathParam("destination"),
                            rc.request().getParam("max"),
                            rc.request().getParam("waitMs"),
                            rc.request().getParam("lockMs"),
                            gone::get),
                    200,
                    messages -> write(Map.of("messages", messages))));
  }

  private void acknowledge(RoutingContext rc) {
    if (!isJson(rc.request().getHeader("Content-Type"))) {
      rc.next(); // the REST layer answers it as before: 415 for another type
      return;
    }
    if (!ApiRoutes.admit(rc, tokens)) {
      return;
    }
    body(rc, maxBodySize)
        .read(
            (body, length) ->
                ApiRoutes.answer(
                    rc,
                    () ->
                        DestinationsResource.acknowledgeAll(
                            messaging, rc.pathParam("destination"), receipts(body)),
                    200,
                    this::write));
  }

  private RequestBody body(RoutingContext rc, long kept) {
    return new RequestBody(
        rc,
        kept,
        maxBodySize,
        length ->
            new ApiException(413, "SIBUS0203E", "The request body is too large.", "Send less."));
  }

  /** The body as the REST layer read it: none is no list, and JSON that does not parse a 400. */
  private DestinationsResource.Receipts receipts(Buffer body) {
    if (body.length() == 0) {
      return null;
    }
    try {
      return json.readValue(body.getBytes(), DestinationsResource.Receipts.class);
    } catch (JsonProcessingException e) {
      throw ApiException.badRequest("body", "not valid JSON");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private Buffer write(Object value) {
    try {
      return Buffer.buffer(json.writeValueAsBytes(value));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("an answer that cannot be written as JSON", e);
    }
  }

  /** {@code application/json}, with or without parameters; other types go on to the REST layer. */
  static boolean isJson(String contentType) {
    return contentType != null
        && contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT).equals("application/json");
  }
}
