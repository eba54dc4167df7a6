package io.sibus.engine.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.sibus.engine.config.SibusConfig;
import io.sibus.engine.config.StartMode;
import io.sibus.engine.election.Election;
import io.sibus.engine.error.ApiException;
import io.sibus.engine.error.EngineError;
import io.sibus.engine.error.ErrorLog;
import io.sibus.engine.lifecycle.Lifecycle;
import io.sibus.engine.lifecycle.MemberStatus;
import io.sibus.engine.store.StoreContext;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.LinkedHashMap;
import java.util.Map;

/** The engine as this member runs it: its state, and the admin start and stop. */
@Path("/api/v1/engine")
@Produces(MediaType.APPLICATION_JSON)
public class EngineResource {
  private final SibusConfig config;
  private final MemberStatus status;
  private final StoreContext context;
  private final ErrorLog errors;
  private final Lifecycle lifecycle;
  private final io.sibus.engine.messaging.Messaging messaging;
  private final Election election;

  public EngineResource(
      SibusConfig config,
      MemberStatus status,
      StoreContext context,
      ErrorLog errors,
      Lifecycle lifecycle,
      Election election,
      io.sibus.engine.messaging.Messaging messaging) {
    this.messaging = messaging;
    this.config = config;
    this.status = status;
    this.context = context;
    this.errors = errors;
    this.lifecycle = lifecycle;
    this.election = election;
  }

  @GET
  public Map<String, Object> engine() {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("bus", config.bus().name());
    body.put("engine", config.engine().name());
    body.put("member", context.member());
    body.put("uuid", context.identity().uuid().toString());
    body.put("incarnation", status.incarnation() == null ? null : status.incarnation().toString());
    body.put("epoch", status.epoch());
    body.put("state", status.state().name());
    body.put("since", status.since().toString());
    body.put("startMode", status.startMode().name());
    body.put("activeMember", status.activeMember());
    body.put("activeUrl", status.activeUrl());
    body.put("failoverSuppressed", status.failoverSuppressed());
    body.put("election", election.kind().value());
    body.put("storeAvailable", status.storeAvailable());
    body.put("schema", context.schema().value());
    var outbound = messaging.outbound();
    body.put("restoreDetected", outbound != null && outbound.restoreDetected());
    body.put("flush", outbound == null ? "NONE" : outbound.flushState().name());
    body.put("quiesced", messaging.quiesced());
    body.put("pendingToOtherEngines", outbound == null ? 0 : outbound.pendingTotal());
    body.put("lastError", lastError());
    return body;
  }

  private Map<String, Object> lastError() {
    EngineError error = errors.last();
    if (error == null) {
      return null;
    }
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("class", error.errorClass().name());
    body.put("code", error.code());
    body.put("message", error.message());
    body.put("userAction", error.userAction());
    body.put("at", error.at().toString());
    return body;
  }

  /** Starts the engine on this member; body {@code {"mode": "NORMAL"}} (optional). */
  @POST
  @Path("start")
  @Consumes(MediaType.WILDCARD)
  public Response start(JsonNode body) {
    StartMode mode = StartMode.NORMAL;
    if (body != null && body.hasNonNull("mode")) {
      String text = body.get("mode").asText();
      try {
        mode = StartMode.valueOf(text);
      } catch (IllegalArgumentException e) {
        throw ApiException.badRequest(
            "mode",
            "'"
                + SendRequestParser.clip(text)
                + "' is not NORMAL, RESTART_AFTER_RESTORE or RECOVERY");
      }
    }
    lifecycle.requestStart(mode);
    return Response.accepted(engine()).build();
  }

  /**
   * Pauses new sends (they wait, none is refused) for a consistent backup of the bus; lifted by
   * {@code resume} or after {@code timeoutMs} (default 30 s).
   */
  @POST
  @Path("quiesce")
  @Consumes(MediaType.WILDCARD)
  public Map<String, Object> quiesce(@jakarta.ws.rs.QueryParam("timeoutMs") Long timeoutMs) {
    long timeout = timeoutMs == null ? 30_000 : timeoutMs;
    if (timeout < 1 || timeout > 600_000) {
      throw ApiException.badRequest("timeoutMs", timeout + " is outside 1..600000");
    }
    messaging.quiesce(timeout);
    return engine();
  }

  @POST
  @Path("resume")
  @Consumes(MediaType.WILDCARD)
  public Map<String, Object> resume() {
    long[] waited = messaging.resume();
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("sendsWaited", waited[0]);
    body.put("maxSendWaitMs", waited[1]);
    return body;
  }

  @POST
  @Path("stop")
  @Consumes(MediaType.WILDCARD)
  public Response stop() {
    lifecycle.requestStop();
    return Response.accepted(engine()).build();
  }
}
