package io.sibus.engine.store;

import io.sibus.datastore.IdempotencyClaim;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The idempotency keys of one batch's sends. The first send of a destination and key in the batch
 * claims the key; a later one in the same batch repeats the first. What the claims find stored (by
 * sends of earlier batches, or of a transaction that committed first) makes their sends repeats
 * too.
 */
final class KeyClaims {
  private final Map<InsertOp, InsertOp> repeats = new HashMap<>();
  private final List<IdempotencyClaim> claims = new ArrayList<>();
  private final Map<IdempotencyClaim, InsertOp> claimants = new HashMap<>();
  private final Map<InsertOp, String> stored = new HashMap<>();

  KeyClaims(List<InsertOp> inserts) {
    Map<String, InsertOp> firsts = new LinkedHashMap<>();
    for (InsertOp op : inserts) {
      if (op.idempotencyKey == null) {
        continue;
      }
      String key = op.row.destination() + '\u0000' + op.idempotencyKey;
      InsertOp first = firsts.putIfAbsent(key, op);
      if (first != null) {
        repeats.put(op, first);
      } else {
        IdempotencyClaim claim =
            new IdempotencyClaim(op.row.destination(), op.idempotencyKey, op.row.messageId());
        claims.add(claim);
        claimants.put(claim, op);
      }
    }
  }

  /** The claims to make, one per destination and key. */
  List<IdempotencyClaim> claims() {
    return claims;
  }

  /** What the claims found: the message id stored earlier under each key already claimed. */
  void found(Map<IdempotencyClaim, String> earlier) {
    earlier.forEach((claim, messageId) -> stored.put(claimants.get(claim), messageId));
  }

  /** The id of the message {@code op} repeats, or null if it sends a new one. */
  String repeated(InsertOp op) {
    InsertOp first = repeats.get(op);
    if (first != null) {
      return stored.getOrDefault(first, first.row.messageId());
    }
    return stored.get(op);
  }
}
