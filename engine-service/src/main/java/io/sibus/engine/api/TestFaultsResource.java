package io.sibus.engine.api;

import io.sibus.engine.config.SibusConfig;
import io.sibus.engine.error.ApiException;
import io.sibus.engine.health.Faults;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.Optional;

/**
 * Test-only fault injection ({@code sibus.engine.test-faults=true}; absent otherwise): {@code
 * deadlock}, {@code spin-writer}, {@code writer-error}, {@code stream-sender-error}, {@code
 * housekeeping-error}, {@code vacuuming-error}, {@code stream-flush-error}, {@code standby-error},
 * {@code completer-start-error}, {@code stop-error}, {@code unread-locks}, {@code slow-locks},
 * {@code hold-inserts}, {@code release-inserts}, {@code unindexed-move} or {@code drop-ticks}.
 */
@Path("/api/v1/test/faults")
public class TestFaultsResource {
  private final SibusConfig config;
  private final Faults faults;
  private final io.sibus.engine.messaging.Streams streams;

  public TestFaultsResource(
      SibusConfig config, Faults faults, io.sibus.engine.messaging.Streams streams) {
    this.config = config;
    this.faults = faults;
    this.streams = streams;
  }

  @POST
  @Path("{fault}")
  @Consumes(MediaType.WILDCARD)
  public Response inject(
      @PathParam("fault") String fault,
      @jakarta.ws.rs.QueryParam("from") Long from,
      @jakarta.ws.rs.QueryParam("to") Long to) {
    if (!config.engine().testFaults()) {
      throw new ApiException(404, "SIBUS0212E", "No such resource.", "Check the path.");
    }
    Optional<Faults.Duty> duty = Faults.Duty.ofFault(fault);
    if (duty.isPresent()) {
      faults.failNext(duty.get());
      return Response.accepted().build();
    }
    switch (fault) {
      case "deadlock" -> faults.deadlock();
      case "spin-writer" -> faults.spinWriter();
      case "unread-locks" -> faults.unreadLocks();
      case "slow-locks" -> faults.slowLocks();
      case "hold-inserts" -> faults.holdInserts();
      case "release-inserts" -> faults.releaseInserts();
      case "unindexed-move" -> faults.unindexedMove();
      case "drop-ticks" ->
          streams.dropOnce(from == null ? 1 : from, to == null ? Long.MAX_VALUE : to);
      default ->
          throw ApiException.badRequest(
              "fault",
              "use deadlock, spin-writer, writer-error, stream-sender-error, housekeeping-error,"
                  + " vacuuming-error, stream-flush-error, standby-error, completer-start-error,"
                  + " stop-error, unread-locks, slow-locks, hold-inserts, release-inserts,"
                  + " unindexed-move or drop-ticks");
    }
    return Response.accepted().build();
  }
}
