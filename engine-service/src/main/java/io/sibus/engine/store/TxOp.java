package io.sibus.engine.store;

import java.sql.Connection;
import java.sql.SQLException;

/** Any other statement work that must share the fenced transaction (moves, purges). */
public final class TxOp<T> extends WriteOp<T> {
  /** The work, given the batch's connection. */
  @FunctionalInterface
  public interface Work<T> {
    T run(Connection connection) throws SQLException;
  }

  final Work<T> work;

  public TxOp(Work<T> work) {
    this.work = work;
  }
}
