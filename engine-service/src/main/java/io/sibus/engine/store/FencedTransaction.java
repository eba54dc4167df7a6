package io.sibus.engine.store;

import io.sibus.datastore.Ownership;
import io.sibus.datastore.ReadAfterCommitException;
import io.sibus.datastore.SqlErrors;
import io.sibus.datastore.StatementPipeline;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import javax.sql.DataSource;
import org.jboss.logging.Logger;

/**
 * One group-commit transaction: a batch's statements and its fenced COMMIT ({@link
 * Ownership#fencedPipeline}) on a pooled connection, at the epoch the writer holds. It either
 * commits, and says so whatever happens to the connection afterwards, or rolls back and throws.
 */
final class FencedTransaction {
  private static final Logger LOG = Logger.getLogger(FencedTransaction.class);

  /**
   * A committed batch: how long its commit's round trip took, and why its connection failed to go
   * back to its pool afterwards (null when it did not).
   */
  record Committed(long commitNanos, String closeFailure) {}

  private final DataSource dataSource;
  private final Ownership ownership;
  private final BatchApplier applier;

  FencedTransaction(DataSource dataSource, Ownership ownership, BatchApplier applier) {
    this.dataSource = dataSource;
    this.ownership = ownership;
    this.applier = applier;
  }

  /** Commits {@code batch} at the {@code held} epoch, or throws what stopped it (rolled back). */
  Committed commit(List<WriteOp<?>> batch, long held) throws SQLException {
    Connection c = dataSource.getConnection();
    long commitNanos;
    try {
      commitNanos = commitOn(c, batch, held);
    } catch (Throwable e) {
      try {
        c.close();
      } catch (SQLException | RuntimeException closing) {
        e.addSuppressed(closing); // the failure at hand is the one to report
      }
      throw e;
    }
    return new Committed(commitNanos, closeAfterCommit(c));
  }

  /**
   * The batch committed: a connection that then fails to go back to its pool does not undo that.
   * Failing the batch would tell its callers that nothing was stored, or run it again and store a
   * send twice.
   */
  private static String closeAfterCommit(Connection c) {
    try {
      c.close();
      return null;
    } catch (SQLException e) {
      return e.getMessage() + ", SQLSTATE " + SqlErrors.state(e);
    } catch (RuntimeException e) {
      return e.toString();
    }
  }

  private long commitOn(Connection c, List<WriteOp<?>> batch, long held) throws SQLException {
    c.setAutoCommit(false);
    try {
      StatementPipeline pipeline = ownership.fencedPipeline(held);
      applier.apply(c, pipeline, batch);
      // The COMMIT travels with the last statements; it commits only at the held epoch.
      long started = System.nanoTime();
      ReadAfterCommitException unread = null;
      try {
        pipeline.commit(c, ownership.fencedCommitStep(held));
      } catch (ReadAfterCommitException e) {
        unread = e;
      }
      long commitNanos = System.nanoTime() - started;
      if (unread != null) {
        unreadAfterCommit(batch, unread);
      }
      return commitNanos;
    } catch (SQLException e) {
      rollbackQuietly(c);
      if (!SqlErrors.isConnectionLoss(e)) {
        proveEpoch(c, held, e);
      }
      throw e;
    } catch (RuntimeException e) {
      rollbackQuietly(c);
      throw e;
    }
  }

  /**
   * The batch committed, but what its statements returned could not all be read: it is committed
   * all the same (run again, its work would be done twice: a send stored twice), and its callers
   * are told so, except those whose result went unread: those hear that it could not be read.
   */
  private static void unreadAfterCommit(List<WriteOp<?>> batch, ReadAfterCommitException e) {
    LOG.errorf(e, "%s %s", StoreErrors.UNREAD_AFTER_COMMIT, e.getMessage());
    for (WriteOp<?> op : batch) {
      if (op.readsWithCommit() && op.result == null) {
        op.unreadAfterCommit(StoreErrors.unreadAfterCommit(e.getCause()));
      }
    }
  }

  /**
   * The fence travels with the writes and the commit, so a transaction of a member that lost the
   * store fails with whatever failed first: the commit's epoch check, or a write (a key the new
   * active member wrote meanwhile, say). A failed transaction is followed by a fence of its own, so
   * that such a member learns that it lost the store. A commit whose epoch check failed has learnt
   * it already: its fence only tells the store's epoch, and need not run.
   */
  private void proveEpoch(Connection c, long held, SQLException failure) {
    try {
      ownership.fence(c, held);
    } catch (SQLException e) {
      failure.addSuppressed(e); // the failure at hand is the one to report
    } finally {
      rollbackQuietly(c);
    }
    if (Ownership.failedEpochCheck(failure)) {
      throw Ownership.lostAccess(held);
    }
  }

  private static void rollbackQuietly(Connection c) {
    try {
      c.rollback();
    } catch (SQLException ignored) {
      // The transaction is gone with the connection.
    }
  }
}
