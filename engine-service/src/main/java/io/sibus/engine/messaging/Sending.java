package io.sibus.engine.messaging;

import io.sibus.datastore.MessageRow;
import io.sibus.datastore.Reliability;
import io.sibus.engine.error.ApiException;
import io.sibus.engine.metrics.EngineMetrics;
import io.sibus.engine.store.InsertOp;
import io.sibus.engine.store.StoreErrors;
import io.sibus.engine.streams.Peers;
import io.sibus.engine.streams.StreamProtocol;
import java.util.Base64;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * The send path. Persistent messages go through group commit (assured: answered after the commit;
 * reliable: answered at once and written behind); nonpersistent ones go straight to memory.
 */
final class Sending {
  private final EngineMetrics metrics;
  private final int nonpersistentCapacity;
  private final int maxPendingPerTarget;
  private final Peers peers;
  private final String engine;
  private final Executor executor;

  Sending(
      EngineMetrics metrics,
      int nonpersistentCapacity,
      int maxPendingPerTarget,
      Peers peers,
      String engine,
      Executor executor) {
    this.metrics = metrics;
    this.nonpersistentCapacity = nonpersistentCapacity;
    this.maxPendingPerTarget = maxPendingPerTarget;
    this.peers = peers;
    this.engine = engine;
    this.executor = executor;
  }

  /**
   * A send to a destination localized on another engine. Persistent messages are stored here first,
   * on the delivery stream to that engine (assured: answered after that commit), and forwarded by
   * the stream; nonpersistent ones are handed over at once.
   */
  CompletableFuture<SendResult> sendRemote(
      ActiveStore store, Destination destination, SendRequest r) {
    Reliability reliability =
        r.reliability() != null ? r.reliability() : destination.defaultReliability();
    String target = destination.localizedOn();
    metrics.sent(destination.name(), reliability);
    if (!reliability.persistent()) {
      return forward(destination, r, reliability, store.ids.next());
    }
    if (store.outbound.pending(target) >= maxPendingPerTarget) {
      throw new ApiException(
              503,
              "SIBUS0221E",
              "Messaging engine "
                  + target
                  + " has not taken "
                  + maxPendingPerTarget
                  + " messages held for it yet; new sends for it wait.",
              "Retry shortly; check that messaging engine " + target + " runs.")
          .retryAfter(1);
    }
    if (!store.writer.accepting()) {
      throw StoreErrors.unavailable();
    }
    long now = System.currentTimeMillis();
    String id = store.ids.next();
    long expires = r.timeToLiveMillis() > 0 ? now + r.timeToLiveMillis() : 0;
    MessageRow row = row(0, id, destination, r, reliability, now, expires);
    InsertOp op = new InsertOp(row, r.idempotencyKey(), target);
    op.afterCommit(
        () -> {
          if (!op.result().duplicate()) {
            store.outbound.committed(target, reliability, 1);
          }
        });
    return answer(store.writer.submit(op), reliability, r, id);
  }

  /** Nonpersistent messages cross over at once; if the other engine cannot take them, they fail. */
  private CompletableFuture<SendResult> forward(
      Destination destination, SendRequest r, Reliability reliability, String id) {
    StreamProtocol.Tick message =
        new StreamProtocol.Tick(
            0,
            id,
            destination.name(),
            r.priority(),
            r.contentType(),
            r.correlationId(),
            r.properties(),
            Base64.getEncoder().encodeToString(r.body()),
            System.currentTimeMillis(),
            r.timeToLiveMillis());
    return CompletableFuture.supplyAsync(
        () -> {
          try {
            return peers.post(
                destination.localizedOn(),
                Peers.path(engine, "forward"),
                new StreamProtocol.Forward(engine, reliability.name(), message, r.idempotencyKey()),
                SendResult.class);
          } catch (Peers.PeerException e) {
            throw new ApiException(
                    503,
                    "SIBUS0220E",
                    "Messaging engine "
                        + destination.localizedOn()
                        + " did not take the"
                        + " nonpersistent message: "
                        + e.getMessage(),
                    "Retry, or send with a persistent reliability level (stored here and forwarded"
                        + " when it can be).")
                .retryAfter(1);
          }
        },
        executor);
  }

  CompletableFuture<SendResult> send(ActiveStore store, Destination destination, SendRequest r) {
    Reliability reliability =
        r.reliability() != null ? r.reliability() : destination.defaultReliability();
    if (destination.maxDepth() != null
        && store.queue(destination.name()).depth() >= destination.maxDepth()) {
      throw new ApiException(
              503,
              "SIBUS0208E",
              "Destination "
                  + destination.name()
                  + " is full (maxDepth "
                  + destination.maxDepth()
                  + ").",
              "Retry later, when consumers have taken messages off the destination.")
          .retryAfter(1);
    }
    long now = System.currentTimeMillis();
    long expires = r.timeToLiveMillis() > 0 ? now + r.timeToLiveMillis() : 0;
    long seq = store.seq.incrementAndGet();
    String id = store.ids.next();
    metrics.sent(destination.name(), reliability);
    if (reliability.persistent()) {
      return sendPersistent(store, destination, r, reliability, now, expires, seq, id);
    }
    return CompletableFuture.completedFuture(
        sendNonpersistent(store, destination, r, reliability, now, expires, seq, id));
  }

  private CompletableFuture<SendResult> sendPersistent(
      ActiveStore store,
      Destination destination,
      SendRequest r,
      Reliability reliability,
      long now,
      long expires,
      long seq,
      String id) {
    if (!store.writer.accepting()) {
      throw new ApiException(
              503,
              "SIBUS0207E",
              "The data store is not available; persistent messages are not accepted now.",
              "Send the message again shortly (with the same Idempotency-Key, a retry is never"
                  + " duplicated).")
          .retryAfter(1);
    }
    MessageRow row = row(seq, id, destination, r, reliability, now, expires);
    InsertOp op = new InsertOp(row, r.idempotencyKey());
    op.afterCommit(
        () -> {
          if (!op.result().duplicate()) {
            store.index(
                destination.name(),
                new Entry(seq, id, r.priority(), reliability, expires, null, 0));
          }
        });
    return answer(store.writer.submit(op), reliability, r, id);
  }

  private SendResult sendNonpersistent(
      ActiveStore store,
      Destination destination,
      SendRequest r,
      Reliability reliability,
      long now,
      long expires,
      long seq,
      String id) {
    if (r.idempotencyKey() != null) {
      String earlier = store.memoryKeys.claim(destination.name(), r.idempotencyKey(), id, now);
      if (earlier != null) {
        return new SendResult(earlier, true);
      }
    }
    if (store.memoryMessages.get() >= nonpersistentCapacity) {
      if (reliability == Reliability.BEST_EFFORT_NONPERSISTENT) {
        return new SendResult(id, false); // best effort: discarded when memory is short
      }
      throw new ApiException(
              503,
              "SIBUS0208E",
              "The engine holds its limit of "
                  + nonpersistentCapacity
                  + " nonpersistent messages; the message was not accepted.",
              "Retry later, or send with a persistent reliability level.")
          .retryAfter(1);
    }
    store.memoryMessages.incrementAndGet();
    MemoryMessage message =
        new MemoryMessage(
            id,
            destination.name(),
            r.priority(),
            reliability,
            r.contentType(),
            r.correlationId(),
            r.properties(),
            r.body(),
            now,
            expires);
    store.index(
        destination.name(), new Entry(seq, id, r.priority(), reliability, expires, message, 0));
    return new SendResult(id, false);
  }

  /** The stored row of a send. */
  private static MessageRow row(
      long seq,
      String id,
      Destination destination,
      SendRequest r,
      Reliability reliability,
      long now,
      long expires) {
    return MessageRow.create(
        seq,
        id,
        destination.name(),
        r.priority(),
        reliability,
        r.contentType(),
        r.correlationId(),
        PropertiesCodec.encode(r.properties()),
        r.body(),
        now,
        expires);
  }

  /**
   * An assured persistent send, and one with an Idempotency-Key (whose answer says whether it was a
   * duplicate), is answered once committed; a reliable persistent one at once.
   */
  private static CompletableFuture<SendResult> answer(
      CompletableFuture<InsertOp.Result> committed,
      Reliability reliability,
      SendRequest r,
      String id) {
    if (reliability == Reliability.ASSURED_PERSISTENT || r.idempotencyKey() != null) {
      return committed.thenApply(res -> new SendResult(res.messageId(), res.duplicate()));
    }
    return CompletableFuture.completedFuture(new SendResult(id, false));
  }
}
