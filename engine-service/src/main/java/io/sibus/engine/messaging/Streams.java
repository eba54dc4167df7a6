package io.sibus.engine.messaging;

import io.sibus.datastore.Reliability;
import io.sibus.engine.error.ApiException;
import io.sibus.engine.error.ErrorLog;
import io.sibus.engine.store.StoreContext;
import io.sibus.engine.streams.StreamProtocol;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Base64;
import java.util.concurrent.CompletableFuture;
import javax.sql.DataSource;

/** What other engines of the bus ask of this one over delivery streams. */
@ApplicationScoped
public class Streams {
  private final Messaging messaging;
  private final DataSource dataSource;
  private final Inbound inbound;

  public Streams(
      Messaging messaging, DataSource dataSource, StoreContext context, ErrorLog errors) {
    this.messaging = messaging;
    this.dataSource = dataSource;
    this.inbound =
        new Inbound(
            context.identity().engine(),
            context.messages(),
            context.streams(),
            messaging.destinationSet(),
            errors);
  }

  public CompletableFuture<StreamProtocol.Reply> ticks(StreamProtocol.Batch batch) {
    reliability(batch.reliability());
    return inbound.receive(messaging.activeStore(), batch, messaging.dedupWindowMillis());
  }

  public StreamProtocol.HandshakeReply handshake(StreamProtocol.Handshake handshake) {
    reliability(handshake.reliability());
    messaging.activeStore();
    try (Connection c = dataSource.getConnection()) {
      return inbound.handshake(c, handshake);
    } catch (SQLException e) {
      throw io.sibus.engine.store.StoreErrors.unavailable();
    }
  }

  public CompletableFuture<Void> flush(StreamProtocol.Flush flush) {
    reliability(flush.reliability());
    if (flush.newStreamId() == null) {
      throw ApiException.badRequest("newStreamId", "it is missing");
    }
    return inbound.flush(messaging.activeStore(), flush);
  }

  /** A nonpersistent message for a destination of this engine, sent to another engine. */
  public CompletableFuture<SendResult> forward(StreamProtocol.Forward forward) {
    StreamProtocol.Tick m = forward.message();
    SendRequest request =
        new SendRequest(
            Base64.getDecoder().decode(m.body()),
            m.contentType(),
            reliability(forward.reliability()),
            m.priority(),
            m.expiresAt(),
            m.correlationId(),
            forward.idempotencyKey(),
            m.properties() == null ? java.util.Map.of() : m.properties());
    if (messaging.destinationSet().find(m.destination()).isEmpty()) {
      throw ApiException.unknownDestination(m.destination());
    }
    return messaging.send(m.destination(), request);
  }

  /** Test-only: the next ticks in [from, to] are lost once. */
  public void dropOnce(long from, long to) {
    inbound.dropOnce(from, to);
  }

  private static Reliability reliability(String name) {
    try {
      return Reliability.valueOf(name);
    } catch (RuntimeException e) {
      throw ApiException.badRequest("reliability", "'" + name + "' is not a level");
    }
  }
}
