package io.sibus.engine.streams;

import io.sibus.engine.store.TxOp;
import java.util.UUID;

/**
 * Restart after restore for one stream: the receiver forgets the old stream; a new stream id is
 * minted and persisted; every message the restored store still holds for the receiver is renumbered
 * from tick 1 on the new stream (message ids unchanged, so a receiver that already has one
 * recognises it). The receiver is told first: if this member fails in between, the next attempt
 * finds a mismatch and flushes again.
 */
final class StreamFlusher {
  private final StreamContext context;

  StreamFlusher(StreamContext context) {
    this.context = context;
  }

  /** Flushes until it succeeds or {@code running} says stop; false when stopped. */
  boolean flush(StreamState stream, java.util.function.BooleanSupplier running) {
    UUID old = stream.streamId;
    UUID fresh = UUID.randomUUID();
    context
        .errors()
        .info(
            "SIBUS0781I",
            "Flush of delivery stream "
                + old
                + " to messaging engine "
                + stream.target
                + " ("
                + stream.reliability
                + ") initiated; the new stream is "
                + fresh
                + ".");
    int failures = 0;
    while (running.getAsBoolean()) {
      try {
        renew(stream, old, fresh);
        return true;
      } catch (Peers.PeerException e) {
        if (failures++ % 10 == 0) {
          reportRetry(
              old,
              stream,
              e.getMessage(),
              "Make messaging engine "
                  + stream.target
                  + " reachable; the flush completes when it is.");
        }
        sleep(Math.min(5000, 200L * failures));
      } catch (RuntimeException e) {
        // A defect: retried and reported, not ended in silence (the flush would stay IN_PROGRESS
        // and its streams held).
        if (failures++ % 10 == 0) {
          reportRetry(old, stream, e.toString(), "Report the member's log.");
        }
        sleep(Math.min(5000, 200L * failures));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      } catch (java.util.concurrent.ExecutionException e) {
        sleep(1000); // the data store refused; the writer reports why
      }
    }
    return false;
  }

  /**
   * One attempt: the receiver forgets {@code old}, the store records {@code fresh} and renumbers
   * what it holds for the receiver, and the sender starts the new stream from tick 1.
   */
  private void renew(StreamState stream, UUID old, UUID fresh)
      throws Peers.PeerException, InterruptedException, java.util.concurrent.ExecutionException {
    context
        .peers()
        .post(
            stream.target,
            Peers.path(context.engine(), "flush"),
            new StreamProtocol.Flush(context.engine(), stream.reliability.name(), old, fresh),
            Void.class);
    context
        .writer()
        .submit(
            new TxOp<>(
                c -> {
                  context
                      .store()
                      .ensureStream(
                          c, stream.target, stream.reliability, old == null ? fresh : old);
                  return context.store().restamp(c, stream.target, stream.reliability, fresh);
                }))
        .get();
    stream.streamId = fresh;
    stream.acked = 0;
    stream.nextTick = 1; // the sender numbers the carried messages again
    stream.handshaken = true;
    stream.held = false;
  }

  private void reportRetry(UUID old, StreamState stream, String failure, String userAction) {
    context
        .errors()
        .report(
            io.sibus.datastore.ErrorClass.RECOVERABLE,
            "SIBUS0782E",
            "The flush of delivery stream "
                + old
                + " to messaging engine "
                + stream.target
                + " failed: "
                + failure
                + "; it is retried.",
            userAction);
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
