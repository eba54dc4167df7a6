package io.sibus.engine.store;

import io.sibus.datastore.DeliveryLock;
import io.sibus.datastore.LockedRows;
import io.sibus.datastore.MessageRow;
import io.sibus.datastore.MessageStore;
import io.sibus.datastore.StatementPipeline;
import io.sibus.datastore.StoreException;
import io.sibus.datastore.StreamStore;
import io.sibus.engine.health.Faults;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Applies a batch of operations inside one transaction, one statement per kind of work: claims of
 * idempotency keys, inserts, delivery locks, deletes, unlocks, then any other work. The statements
 * join the transaction's fenced pipeline, which the caller flushes with the commit: a batch without
 * idempotency keys, delivery streams or other work is one round trip, its commit included, and
 * proves its epoch there; one that reads before the commit runs the full epoch fence first.
 */
final class BatchApplier {
  private final MessageStore store;
  private final StreamStore streams;
  private final Faults faults;

  BatchApplier(MessageStore store, StreamStore streams, Faults faults) {
    this.store = store;
    this.streams = streams;
    this.faults = faults;
  }

  void apply(Connection c, StatementPipeline pipeline, List<WriteOp<?>> ops) throws SQLException {
    List<InsertOp> inserts = new ArrayList<>();
    List<LockOp> locks = new ArrayList<>();
    List<SeqOp> deletes = new ArrayList<>();
    List<SeqOp> unlocks = new ArrayList<>();
    List<TxOp<?>> others = new ArrayList<>();
    for (WriteOp<?> op : ops) {
      op.reset();
      if (op instanceof InsertOp insert) {
        inserts.add(insert);
      } else if (op instanceof LockOp lock) {
        locks.add(lock);
      } else if (op instanceof SeqOp seq) {
        (seq.kind == SeqOp.Kind.DELETE ? deletes : unlocks).add(seq);
      } else {
        others.add((TxOp<?>) op);
      }
    }
    applyInserts(c, pipeline, inserts);
    lock(pipeline, locks);
    store.delete(pipeline, seqs(deletes));
    store.unlock(pipeline, seqs(unlocks));
    if (!others.isEmpty()) {
      pipeline.flush(c);
    }
    for (TxOp<?> op : others) {
      applyTx(c, op);
    }
  }

  private static <T> void applyTx(Connection c, TxOp<T> op) throws SQLException {
    op.result = op.work.run(c);
  }

  private void applyInserts(Connection c, StatementPipeline pipeline, List<InsertOp> inserts)
      throws SQLException {
    if (inserts.isEmpty()) {
      return;
    }
    faults.maybeHoldInserts();
    KeyClaims keys = new KeyClaims(inserts);
    if (!keys.claims().isEmpty()) {
      pipeline.flush(c); // the fence first; what the claims find decides what is inserted
    }
    keys.found(store.claim(c, keys.claims()));
    List<MessageRow> rows = new ArrayList<>();
    Map<String, List<InsertOp>> outgoing = new LinkedHashMap<>();
    for (InsertOp op : inserts) {
      String repeated = keys.repeated(op);
      if (repeated != null) {
        op.result = new InsertOp.Result(repeated, true);
      } else if (op.target == null) {
        rows.add(op.row);
        op.result = new InsertOp.Result(op.row.messageId(), false);
      } else {
        outgoing
            .computeIfAbsent(op.target + '\u0000' + op.row.reliability(), k -> new ArrayList<>())
            .add(op);
        op.result = new InsertOp.Result(op.row.messageId(), false);
      }
    }
    store.insert(pipeline, rows);
    if (!outgoing.isEmpty()) {
      pipeline.flush(c);
    }
    for (List<InsertOp> stream : outgoing.values()) {
      InsertOp first = stream.get(0);
      streams.transmit(
          c, first.target, first.row.reliability(), stream.stream().map(op -> op.row).toList());
    }
  }

  /** Adds the receipt locks of all {@code ops}; each gets its rows when the pipeline runs. */
  private void lock(StatementPipeline pipeline, List<LockOp> ops) {
    List<DeliveryLock> all = new ArrayList<>();
    ops.forEach(op -> all.addAll(op.locks));
    store.lockForDelivery(
        pipeline,
        all,
        rows -> {
          if (!ops.isEmpty()) {
            faults.maybeFailLockRead();
          }
          handOut(ops, rows);
        });
  }

  /**
   * Gives each lock operation the rows it locked (a message deleted meanwhile is left out); one
   * that locked a corrupted row gets, instead, the failure its delivery meets after the commit.
   */
  private static void handOut(List<LockOp> ops, LockedRows lockedRows) {
    Map<Long, MessageRow> locked = new HashMap<>();
    lockedRows.rows().forEach(row -> locked.put(row.seq(), row));
    for (LockOp op : ops) {
      List<MessageRow> rows = new ArrayList<>(op.locks.size());
      for (DeliveryLock lock : op.locks) {
        MessageRow row = locked.get(lock.seq());
        StoreException corrupted = lockedRows.corrupted().get(lock.seq());
        if (corrupted != null) {
          op.failAfterCommit(corrupted);
        } else if (row != null) {
          rows.add(row);
        }
      }
      op.result = rows;
    }
  }

  private static long[] seqs(List<SeqOp> ops) {
    return ops.stream().flatMapToLong(op -> java.util.Arrays.stream(op.seqs)).toArray();
  }
}
