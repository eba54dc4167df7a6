package io.sibus.engine.store;

import io.sibus.datastore.Ownership;
import io.sibus.datastore.ReadAfterCommitException;
import io.sibus.datastore.SqlErrors;
import io.sibus.datastore.StatementPipeline;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import javax.sql.DataSource;

/**
 * One group-commit transaction: a batch's statements and its fenced COMMIT ({@link
 * Ownership#fencedPipeline}) on a pooled connection, at the epoch the writer holds. It either
 * commits, and says so whatever happens to the connection afterwards, or rolls back and throws.
 */
final class FencedTransaction {
  /**
   * A committed batch: how long its commit's round trip took, what failed to read its results after
   * the commit (null when nothing did), why its connection failed to go back to its pool afterwards
   * (null when it did not), and an {@link Error} met after the commit (null when none was), which
   * the writer throws once the batch's callers are told.
   */
  record Committed(
      long commitNanos, ReadAfterCommitException unread, String closeFailure, Error error) {}

  /**
   * The connection was lost during the round trip that carried the COMMIT: the server may have
   * committed before it went. (Lost before that round trip, nothing was committed.)
   */
  static final class OutcomeUnknown extends SQLException {
    OutcomeUnknown(SQLException lost) {
      super(lost.getMessage(), lost.getSQLState(), lost);
    }
  }

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
    Committed committed;
    try {
      committed = commitOn(c, batch, held);
    } catch (Throwable e) {
      try {
        c.close();
      } catch (SQLException | RuntimeException closing) {
        e.addSuppressed(closing); // the failure at hand is the one to report
      }
      throw e;
    }
    Throwable closing = closeAfterCommit(c);
    ReadAfterCommitException unread = committed.unread();
    Error error = null;
    if (unread != null && unread.getCause() instanceof Error whileReading) {
      error = whileReading;
    } else if (closing instanceof Error whileClosing) {
      error = whileClosing;
    }
    // An Error while closing is not a closing failure corrected in place: the writer ends on it.
    String closeFailure = closing instanceof Error ? null : describe(closing);
    return new Committed(committed.commitNanos(), unread, closeFailure, error);
  }

  /**
   * The batch committed: a connection that then fails to go back to its pool does not undo that.
   * Failing the batch would tell its callers that nothing was stored, or run it again and store a
   * send twice.
   */
  private static Throwable closeAfterCommit(Connection c) {
    try {
      c.close();
      return null;
    } catch (Throwable e) {
      return e;
    }
  }

  private static String describe(Throwable closing) {
    if (closing == null) {
      return null;
    }
    return closing instanceof SQLException e
        ? e.getMessage() + ", SQLSTATE " + SqlErrors.state(e)
        : closing.toString();
  }

  /**
   * The transaction itself; a result that fails to read after the commit is returned, not thrown:
   * the batch committed, and nothing that could run it again may follow.
   */
  private Committed commitOn(Connection c, List<WriteOp<?>> batch, long held) throws SQLException {
    c.setAutoCommit(false);
    try {
      StatementPipeline pipeline = ownership.fencedPipeline(held);
      applier.apply(c, pipeline, batch);
      // The COMMIT travels with the last statements; it commits only at the held epoch.
      long started = System.nanoTime();
      ReadAfterCommitException unread = null;
      batch.forEach(WriteOp::commitSent);
      try {
        pipeline.commit(c, ownership.fencedCommitStep(held));
      } catch (ReadAfterCommitException e) {
        unread = e;
      } catch (SQLException e) {
        throw SqlErrors.isConnectionLoss(e) ? new OutcomeUnknown(e) : e;
      }
      // From here on nothing may tell the batch's callers that it was not stored.
      batch.forEach(WriteOp::commitSeen);
      return new Committed(System.nanoTime() - started, unread, null, null);
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
