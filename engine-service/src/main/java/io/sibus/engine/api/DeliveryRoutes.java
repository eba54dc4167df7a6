package io.sibus.engine.api;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sibus.engine.error.ApiException;
import io.sibus.engine.messaging.Messaging;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Serves the receive ({@code POST .../receipts}) and the batch acknowledgement ({@code POST
 * .../acknowledgements}) on Vert.x directly, outside the REST layer, as {@link SendRoute} serves
 * the send: under load they were most of what the member's event loops spent besides the sends, and
 * the sends wait behind them on the same loops. The checks are {@link DestinationsResource}'s, and
 * the JSON is written and read by the REST layer's own {@link ObjectMapper}, so the answers are the
 * API's.
 *
 * <p>What the REST layer could not do: a receive whose caller goes away while it waits ends there,
 * rather than lock for nobody the messages that come meanwhile; and one whose caller goes away
 * after its messages are locked, before it is answered, gives them back at once.
 */
@ApplicationScoped
public class DeliveryRoutes {
  static final String RECEIVE = "/api/v1/destinations/:destination/receipts";
  static final String ACKNOWLEDGE = "/api/v1/destinations/:destination/acknowledgements";

  private final Messaging messaging;
  private final RouteAdmission admission;
  private final ObjectMapper json;

  public DeliveryRoutes(Messaging messaging, RouteAdmission admission, ObjectMapper json) {
    this.messaging = messaging;
    this.admission = admission;
    this.json = json;
  }

  void install(@Observes Router router) {
    // As SendRoute: after BodyLimit (-10), ahead of the HTTP layer's size check and the REST layer.
    router.post(RECEIVE).order(-5).handler(this::receive);
    router.post(ACKNOWLEDGE).order(-5).handler(this::acknowledge);
  }

  private void receive(RoutingContext rc) {
    if (!admission.admit(rc)) {
      return;
    }
    AtomicBoolean gone = new AtomicBoolean();
    rc.response().closeHandler(v -> gone.set(true));
    if (rc.response().closed()) {
      gone.set(true); // closed before the handler was set
    }
    // A receive's body means nothing; it is read and thrown away, as the REST layer did.
    body(rc, 0).read((body, length) -> receive(rc, gone));
  }

  private void receive(RoutingContext rc, AtomicBoolean gone) {
    MultiMap query = rc.queryParams(); // the first of a repeated value counts, as in the REST layer
    String destination = rc.pathParam("destination");
    ApiRoutes.answer(
        rc,
        () ->
            DestinationsResource.receive(
                messaging,
                destination,
                query.get("max"),
                query.get("waitMs"),
                query.get("lockMs"),
                gone::get),
        200,
        messages -> write(Map.of("messages", messages)),
        // Locked for a caller that left before it could be told: given back at once, rather than
        // held for nobody until their locks expire.
        messages -> messaging.giveBack(destination, messages));
  }

  private void acknowledge(RoutingContext rc) {
    if (!ApiRoutes.isJson(rc.request().getHeader("Content-Type"))) {
      rc.next(); // the REST layer reads it as before, or refuses another type (415)
      return;
    }
    if (!admission.admit(rc)) {
      return;
    }
    body(rc, admission.maxBodySize())
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
    return admission.body(rc, kept, length -> ApiException.bodyTooLarge());
  }

  /**
   * The body as the REST layer read it: none, or only white space, is no list; JSON that does not
   * map to one is a 400.
   */
  private DestinationsResource.Receipts receipts(Buffer body) {
    try (JsonParser parser = json.createParser(body.getBytes())) {
      if (parser.nextToken() == null) {
        return null;
      }
      return json.readValue(parser, DestinationsResource.Receipts.class);
    } catch (JsonProcessingException e) {
      throw ErrorMappers.notJson();
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
}
