package io.sibus.engine.store;

import io.sibus.datastore.MessageRow;

/**
 * Stores a persistent message, claiming its idempotency key in the same transaction: on a queue of
 * this engine, or (with a target) on the delivery stream to the engine that holds the destination.
 * The result says which message id holds the key (an earlier one when this send is a duplicate).
 */
public final class InsertOp extends WriteOp<InsertOp.Result> {
  final MessageRow row;
  final String idempotencyKey;
  final String target;

  /** The accepted message id and whether the send repeated an earlier one. */
  public record Result(String messageId, boolean duplicate) {}

  public InsertOp(MessageRow row, String idempotencyKey) {
    this(row, idempotencyKey, null);
  }

  /** A message for another engine's destination: stored on the stream to {@code target}. */
  public InsertOp(MessageRow row, String idempotencyKey, String target) {
    this.row = row;
    this.idempotencyKey = idempotencyKey;
    this.target = target;
  }

  public MessageRow row() {
    return row;
  }
}
