package io.sibus.datastore;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;
import org.postgresql.core.BaseConnection;
import org.postgresql.core.TransactionState;

/**
 * Statements that travel to PostgreSQL together: one prepared statement of several SQL statements,
 * which the driver sends in one round trip and the server runs in order, in the caller's
 * transaction (or in one that the pipeline begins itself: {@link #commit}). A group-commit
 * transaction of sends and acknowledgements is thus its BEGIN, its writes and its fenced commit in
 * one round trip instead of one per statement. Each round trip costs both the member and the
 * database a wake-up on this machine, and a network round trip where the database is on another
 * node.
 *
 * <p>A step whose result decides what comes next (an idempotency claim, say) is followed by {@link
 * #flush}; work that runs its own statements flushes first, so that statements run in the order
 * they were added.
 */
public final class StatementPipeline {

  /** One statement of a pipeline: its SQL, its parameters and what it does with its result. */
  public interface Step {
    /** The SQL: one statement, or several separated by semicolons that {@link #read} consumes. */
    String sql();

    /** Binds this step's parameters from index {@code first} on; returns the next free index. */
    int bind(Connection c, PreparedStatement ps, int first) throws SQLException;

    /**
     * Reads this step's result, which is the statement's current one; a step of several statements
     * moves past all but its last with {@link PreparedStatement#getMoreResults()}. A step sent with
     * the commit reads after the commit: what it finds wrong (a stored row that does not decode,
     * say) it reports to its caller rather than by failing the read.
     */
    void read(PreparedStatement ps) throws SQLException;
  }

  private final List<Step> steps = new ArrayList<>();
  private final Step openingBeforeARead;
  private final Step openingWithTheCommit;
  private boolean opened;

  public StatementPipeline() {
    this.openingBeforeARead = null;
    this.openingWithTheCommit = null;
    this.opened = true; // nothing to open: the caller adds what its transaction needs
  }

  /**
   * A pipeline whose transaction opens with one of two steps, chosen when it first runs: {@code
   * beforeARead} if a result is read before the commit (at the first {@link #flush}, so that it
   * runs before work that acts on what it reads), or {@code withTheCommit} if every statement
   * travels with the commit ({@link #commit} without an earlier flush), where nothing is read until
   * all is decided. {@code withTheCommit} begins the transaction itself ({@code BEGIN ...}): see
   * {@link #commit}. {@link Ownership#fencedPipeline} opens a fenced transaction so. Such a
   * pipeline serves one transaction.
   */
  public StatementPipeline(Step beforeARead, Step withTheCommit) {
    this.openingBeforeARead = Objects.requireNonNull(beforeARead);
    this.openingWithTheCommit = Objects.requireNonNull(withTheCommit);
  }

  public StatementPipeline add(Step step) {
    steps.add(step);
    return this;
  }

  /**
   * Runs the steps added since the last flush, in one round trip, and lets each read its result.
   * The first flush of a pipeline with an opening runs it too, even with no steps of its own, so
   * that work which then uses the connection runs after it.
   */
  public void flush(Connection c) throws SQLException {
    send(c, false);
  }

  /**
   * Runs the steps added since the last flush; with {@code commits}, the last of them commits, and
   * a failure to read a result once the round trip is through is a {@link
   * ReadAfterCommitException}.
   */
  private void send(Connection c, boolean commits) throws SQLException {
    open(openingBeforeARead);
    if (steps.isEmpty()) {
      return;
    }
    List<Step> run = List.copyOf(steps);
    steps.clear();
    String sql = run.stream().map(Step::sql).collect(Collectors.joining("; "));
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      int index = 1;
      for (Step step : run) {
        index = step.bind(c, ps, index);
      }
      // Through without an exception: every statement ran (an error makes the server skip the
      // rest), so a committing round trip has committed.
      ps.execute();
      read(run, ps, commits);
    }
  }

  private static void read(List<Step> run, PreparedStatement ps, boolean commits)
      throws SQLException {
    try {
      for (int i = 0; i < run.size(); i++) {
        if (i > 0) {
          ps.getMoreResults();
        }
        run.get(i).read(ps);
      }
    } catch (Throwable e) {
      // An Error too: thrown on, it would read as a transaction that failed, and its callers would
      // be told that nothing was stored.
      if (commits) {
        throw new ReadAfterCommitException(e); // not a failed transaction: not to be run again
      }
      throw e;
    }
  }

  /**
   * Runs the steps added since the last flush and then {@code commit}, in one round trip.
   *
   * <p>A pipeline with openings that never flushed sends its whole transaction here, from the
   * opening's {@code BEGIN} to the {@code COMMIT}. It does so with the driver's autocommit on: with
   * it off, the driver would begin the transaction with a query of its own, whose answer the server
   * sends at once, waking the caller for nothing and costing the server a send, in every group
   * commit. The connection must have no transaction open (nothing has run on it since its last
   * commit), or that work would be committed on its own; a transaction that fails here is rolled
   * back before this returns, and the connection's autocommit is as it was.
   *
   * @throws ReadAfterCommitException when the transaction committed but a step failed to read its
   *     result: the caller must not run the work again
   */
  public void commit(Connection c, Step commit) throws SQLException {
    if (opened) {
      add(commit);
      send(c, true);
    } else {
      commitWhole(c, commit);
    }
  }

  private void commitWhole(Connection c, Step commit) throws SQLException {
    if (inTransaction(c)) {
      throw new IllegalStateException(
          "a transaction is already open on the connection; this pipeline begins its own");
    }
    // The opening goes first: the driver may split the round trip with a Sync of its own (before a
    // statement whose rows it cannot bound), and with autocommit on each Sync would commit what ran
    // before it, were the transaction not begun already.
    open(openingWithTheCommit);
    add(commit);
    boolean autoCommit = c.getAutoCommit();
    c.setAutoCommit(true); // the opening's BEGIN begins the transaction, not the driver
    try {
      send(c, true);
    } catch (ReadAfterCommitException e) {
      restoreAutoCommit(c, autoCommit);
      throw e;
    } catch (Throwable e) {
      rollBack(c, autoCommit, e);
      throw e;
    }
    restoreAutoCommit(c, autoCommit);
  }

  private static void restoreAutoCommit(Connection c, boolean autoCommit) {
    try {
      c.setAutoCommit(autoCommit);
    } catch (SQLException e) {
      // Committed: a connection lost since then goes back to the pool closed, its autocommit moot.
    } catch (Error e) {
      throw new ReadAfterCommitException(e); // committed: not to read as a failed transaction
    }
  }

  /**
   * Ends a transaction that failed after its BEGIN (the server waits for a ROLLBACK) and gives the
   * connection its autocommit back, without hiding {@code failure}.
   */
  private static void rollBack(Connection c, boolean autoCommit, Throwable failure) {
    try {
      c.setAutoCommit(false); // the driver refuses a rollback with autocommit on
      if (inTransaction(c)) {
        c.rollback();
      }
      c.setAutoCommit(autoCommit);
    } catch (SQLException e) {
      failure.addSuppressed(e); // the connection is likely gone; the failure at hand is reported
    }
  }

  private static boolean inTransaction(Connection c) throws SQLException {
    return c.unwrap(BaseConnection.class).getTransactionState() != TransactionState.IDLE;
  }

  /** Puts the transaction's opening step first, once: the first run chooses it. */
  private void open(Step opening) {
    if (!opened) {
      steps.add(0, opening);
      opened = true;
    }
  }

  /** Runs one step on its own. */
  public static void run(Connection c, Step step) throws SQLException {
    new StatementPipeline().add(step).flush(c);
  }
}
