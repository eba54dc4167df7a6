package io.sibus.perf;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A group commit done by the client: producers hand their rows over and wait; a few committer
 * threads each take all the rows waiting, insert them in one statement and one transaction, and
 * then release the producers whose rows that commit held. Each producer still waits for its own
 * row's commit, as a synchronous durable send waits, but one disk flush serves many producers.
 */
final class GroupCommitter implements AutoCloseable {
  /**
   * Two committers: while one waits for its commit's flush, the other inserts the rows that arrived
   * meanwhile, so the disk and the CPU are both kept busy. (On the development machine, 16
   * producers, two reached a little more than one; the spread between runs was as large.)
   */
  static final int COMMITTERS = 2;

  private static final int MAX_BATCH = 500;

  /**
   * A producer's row. {@code claimed} is set by whoever decides its fate first: a committer taking
   * it into a batch, or its producer giving up on it.
   */
  private record Pending(byte[] body, CompletableFuture<Void> committed, AtomicBoolean claimed) {}

  private final BlockingQueue<Pending> pending = new LinkedBlockingQueue<>();
  private final List<Thread> committers = new ArrayList<>();
  private final List<Connection> connections = new ArrayList<>();
  private volatile boolean open = true;

  GroupCommitter(String jdbcUrl, String user) throws SQLException {
    Properties properties = new Properties();
    properties.setProperty("user", user);
    // The driver sends a batch of inserts as multi-row INSERTs: one round trip per batch.
    properties.setProperty("reWriteBatchedInserts", "true");
    for (int i = 0; i < COMMITTERS; i++) {
      Connection c = DriverManager.getConnection(jdbcUrl, properties);
      c.setAutoCommit(false);
      connections.add(c);
      Thread t = new Thread(() -> commitLoop(c), "perf-group-committer-" + i);
      t.setDaemon(true);
      t.start();
      committers.add(t);
    }
  }

  /** Inserts {@code body} as a row; returns once the transaction holding it has committed. */
  void insert(byte[] body) throws Exception {
    Pending row = new Pending(body, new CompletableFuture<>(), new AtomicBoolean());
    pending.add(row);
    try {
      try {
        row.committed().get(30, TimeUnit.SECONDS); // a committer that died must not hang producers
      } catch (TimeoutException e) {
        if (row.claimed().compareAndSet(false, true)) {
          throw e; // no committer will take it now: a send counted as failed is never received
        }
        row.committed().get(30, TimeUnit.SECONDS); // a committer has it: its commit decides
      }
    } catch (ExecutionException e) {
      throw e.getCause() instanceof Exception cause ? cause : e;
    }
  }

  private void commitLoop(Connection c) {
    List<Pending> batch = new ArrayList<>();
    try (PreparedStatement insert = c.prepareStatement(BenchmarkSql.INSERT)) {
      while (open) {
        Pending first = pending.poll(100, TimeUnit.MILLISECONDS);
        if (first == null) {
          continue;
        }
        batch.add(first);
        pending.drainTo(batch, MAX_BATCH - 1);
        batch.removeIf(p -> !p.claimed().compareAndSet(false, true)); // their producers gave up
        if (!batch.isEmpty()) {
          commit(c, insert, batch);
        }
        batch.clear();
      }
    } catch (SQLException | InterruptedException e) {
      batch.forEach(p -> p.committed().completeExceptionally(e));
    }
  }

  private static void commit(Connection c, PreparedStatement insert, List<Pending> batch) {
    try {
      for (Pending p : batch) {
        insert.setBytes(1, p.body());
        insert.addBatch();
      }
      insert.executeBatch();
      c.commit();
      batch.forEach(p -> p.committed().complete(null));
    } catch (SQLException e) {
      clear(insert);
      rollback(c);
      batch.forEach(p -> p.committed().completeExceptionally(e));
    }
  }

  private static void clear(PreparedStatement insert) {
    try {
      insert.clearBatch();
    } catch (SQLException ignored) {
      // the statement is unusable; the next batch fails and says so
    }
  }

  private static void rollback(Connection c) {
    try {
      c.rollback();
    } catch (SQLException ignored) {
      // the batch has failed already; its producers count the error
    }
  }

  @Override
  public void close() throws Exception {
    open = false;
    for (Thread t : committers) {
      t.join(5_000);
    }
    pending.forEach(p -> p.committed().completeExceptionally(new SQLException("closed")));
    for (Connection c : connections) {
      c.close();
    }
  }
}
