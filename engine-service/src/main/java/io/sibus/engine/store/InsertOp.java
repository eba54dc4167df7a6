package io.sibus.engine.store;

import io.sibus.datastore.MessageRow;

/**
 * Stores a persistent message, claiming its idempotency key in the same transaction. The result
 * says which message id holds the key (an earlier one when this send is a duplicate).
 */
public final class InsertOp extends WriteOp<InsertOp.Result> {
  final MessageRow row;
  final String idempotencyKey;

  /** The accepted message id and whether the send repeated an earlier one. */
  public record Result(String messageId, boolean duplicate) {}

  public InsertOp(MessageRow row, String idempotencyKey) {
    this.row = row;
    this.idempotencyKey = idempotencyKey;
  }

  public MessageRow row() {
    return row;
  }
}
