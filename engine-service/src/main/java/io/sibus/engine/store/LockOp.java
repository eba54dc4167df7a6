package io.sibus.engine.store;

import io.sibus.datastore.DeliveryLock;
import io.sibus.datastore.MessageRow;
import java.util.List;

/** Records receipt locks for messages being delivered and reads their bodies. */
public final class LockOp extends WriteOp<List<MessageRow>> {
  final List<DeliveryLock> locks;

  public LockOp(List<DeliveryLock> locks) {
    this.locks = locks;
  }

  @Override
  boolean readsWithCommit() {
    return true; // the locked rows
  }
}
