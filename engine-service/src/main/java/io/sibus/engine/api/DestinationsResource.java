package io.sibus.engine.api;

import io.sibus.engine.config.SibusConfig;
import io.sibus.engine.error.ApiException;
import io.sibus.engine.messaging.Delivery;
import io.sibus.engine.messaging.DestinationView;
import io.sibus.engine.messaging.Messaging;
import io.sibus.engine.messaging.SendResult;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.BooleanSupplier;
import org.jboss.resteasy.reactive.ResponseStatus;

/** Destinations and their messages: send, receive, acknowledge, release (CONTRACT.md). */
@Path("/api/v1/destinations")
@Produces(MediaType.APPLICATION_JSON)
public class DestinationsResource {
  private static final long MAX_WAIT_MS = 60_000;
  private static final long MAX_LOCK_MS = 24L * 3600 * 1000;

  private final Messaging messaging;
  private final SibusConfig config;

  public DestinationsResource(Messaging messaging, SibusConfig config) {
    this.messaging = messaging;
    this.config = config;
  }

  @GET
  public Map<String, List<DestinationView>> list() {
    return Map.of("destinations", messaging.destinations());
  }

  @GET
  @Path("{destination}")
  public DestinationView get(@PathParam("destination") String destination) {
    return messaging.destination(destination);
  }

  @POST
  @Path("{destination}/messages")
  @Consumes(MediaType.WILDCARD)
  @ResponseStatus(201)
  // SendRoute serves the sends on Vert.x directly. This method stays for what the route leaves to
  // the REST layer, so that it answers as for any other call: a send whose Accept header excludes
  // JSON (406), one to a path the route does not match (a trailing slash), other methods on the
  // path (405).
  public CompletionStage<SendResult> send(
      @PathParam("destination") String destination, byte[] body, HttpHeaders headers) {
    var request =
        SendRequestParser.parse(
            body, headers.getRequestHeaders(), config.engine().maxMessageSize());
    return messaging.send(destination, request);
  }

  @POST
  @Path("{destination}/receipts")
  @Consumes(MediaType.WILDCARD)
  // DeliveryRoutes serves the receives and batch acknowledgements on Vert.x directly. These
  // methods stay for what the routes leave to the REST layer, so that it answers as for any other
  // call: an Accept header that excludes JSON (406), another method (405), a path with a trailing
  // slash, an acknowledgement without a Content-Type or with another (415).
  public CompletionStage<Map<String, List<Delivery>>> receive(
      @PathParam("destination") String destination,
      @QueryParam("max") String max,
      @QueryParam("waitMs") String waitMs,
      @QueryParam("lockMs") String lockMs) {
    return receive(messaging, destination, max, waitMs, lockMs, () -> false)
        .thenApply(messages -> Map.of("messages", messages));
  }

  /**
   * A receive with its query's values checked; shared with {@link DeliveryRoutes}, which knows when
   * its caller has gone away ({@link Messaging#receive(String, int, long, long, BooleanSupplier)}).
   */
  static CompletableFuture<List<Delivery>> receive(
      Messaging messaging,
      String destination,
      String max,
      String waitMs,
      String lockMs,
      BooleanSupplier abandoned) {
    int count = (int) query("max", max, 1, 1, 1000);
    long wait = query("waitMs", waitMs, 0, 0, MAX_WAIT_MS);
    long lock = query("lockMs", lockMs, 30_000, 1, MAX_LOCK_MS);
    return messaging.receive(destination, count, wait, lock, abandoned);
  }

  @DELETE
  @Path("{destination}/receipts/{receipt}")
  public CompletionStage<Response> acknowledge(
      @PathParam("destination") String destination, @PathParam("receipt") String receipt) {
    return messaging
        .acknowledge(destination, receipt(receipt))
        .thenApply(v -> Response.noContent().build());
  }

  /** The body of a batch acknowledgement. */
  public record Receipts(List<String> receipts) {}

  /**
   * At most this many receipts per batch acknowledgement: one request stays a bounded piece of
   * work.
   */
  static final int MAX_RECEIPTS = 1000;

  @POST
  @Path("{destination}/acknowledgements")
  @Consumes(MediaType.APPLICATION_JSON)
  public CompletionStage<Map<String, Object>> acknowledgeAll(
      @PathParam("destination") String destination, Receipts body) {
    return acknowledgeAll(messaging, destination, body);
  }

  /**
   * A batch acknowledgement with its body checked, and its answer: how many were acknowledged and
   * which receipts are gone. Shared with {@link DeliveryRoutes}.
   */
  static CompletableFuture<Map<String, Object>> acknowledgeAll(
      Messaging messaging, String destination, Receipts body) {
    if (body == null || body.receipts() == null || body.receipts().isEmpty()) {
      throw ApiException.badRequest("receipts", "give a non-empty list of receipts");
    }
    if (body.receipts().size() > MAX_RECEIPTS) {
      throw ApiException.badRequest(
          "receipts",
          body.receipts().size() + " receipts; at most " + MAX_RECEIPTS + " per request");
    }
    if (body.receipts().contains(null)) {
      throw ApiException.badRequest("receipts", "a receipt is null");
    }
    // A receipt given twice is acknowledged once (and not reported gone by its second mention).
    List<UUID> receipts =
        body.receipts().stream().map(DestinationsResource::receipt).distinct().toList();
    return messaging
        .acknowledgeAll(destination, receipts)
        .thenApply(
            gone ->
                Map.of(
                    "acknowledged",
                    receipts.size() - gone.size(),
                    "gone",
                    gone.stream().map(UUID::toString).toList()));
  }

  @POST
  @Path("{destination}/receipts/{receipt}/release")
  @Consumes(MediaType.WILDCARD)
  public CompletionStage<Response> release(
      @PathParam("destination") String destination, @PathParam("receipt") String receipt) {
    return messaging
        .release(destination, receipt(receipt))
        .thenApply(v -> Response.noContent().build());
  }

  private static long query(String name, String value, long fallback, long min, long max) {
    if (value == null || value.isEmpty()) {
      return fallback;
    }
    return SendRequestParser.number(name, value, min, max);
  }

  private static UUID receipt(String text) {
    try {
      return UUID.fromString(text);
    } catch (IllegalArgumentException e) {
      throw ApiException.badRequest(
          "receipt", "'" + SendRequestParser.clip(text) + "' is not a receipt");
    }
  }
}
