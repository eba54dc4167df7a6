package io.sibus.engine.api;

import io.sibus.engine.messaging.SendResult;
import io.sibus.engine.messaging.Streams;
import io.sibus.engine.streams.StreamProtocol;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.concurrent.CompletionStage;

/**
 * Engine-to-engine delivery streams (authenticated with the bus's shared secret, see {@link
 * TokenFilter}). Not for applications.
 */
@Path("/api/v1/streams/{source}")
@Consumes(MediaType.APPLICATION_JSON)
@Produces(MediaType.APPLICATION_JSON)
public class StreamsResource {
  private final Streams streams;

  public StreamsResource(Streams streams) {
    this.streams = streams;
  }

  @POST
  @Path("ticks")
  public CompletionStage<StreamProtocol.Reply> ticks(
      @PathParam("source") String source, StreamProtocol.Batch batch) {
    return streams.ticks(sameSource(source, batch.source(), batch));
  }

  @POST
  @Path("handshake")
  public StreamProtocol.HandshakeReply handshake(
      @PathParam("source") String source, StreamProtocol.Handshake handshake) {
    return streams.handshake(sameSource(source, handshake.source(), handshake));
  }

  @POST
  @Path("flush")
  public CompletionStage<Response> flush(
      @PathParam("source") String source, StreamProtocol.Flush flush) {
    return streams
        .flush(sameSource(source, flush.source(), flush))
        .thenApply(v -> Response.noContent().build());
  }

  @POST
  @Path("forward")
  public CompletionStage<SendResult> forward(
      @PathParam("source") String source, StreamProtocol.Forward forward) {
    return streams.forward(sameSource(source, forward.source(), forward));
  }

  private static <T> T sameSource(String path, String body, T request) {
    if (request == null) {
      throw io.sibus.engine.error.ApiException.badRequest("body", "it is missing");
    }
    if (!path.equals(body)) {
      throw io.sibus.engine.error.ApiException.badRequest(
          "source", "the path names " + path + " but the body " + body);
    }
    return request;
  }
}
