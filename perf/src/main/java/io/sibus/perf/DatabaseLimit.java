package io.sibus.perf;

import io.sibus.local.LocalPostgres;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The database limit: the benchmark's load done straight on PostgreSQL, without a message bus. A
 * send inserts a row (and returns after its commit), a receive deletes the oldest rows no other
 * consumer holds and returns their bodies; the queue is vacuumed as an engine vacuums its own
 * ({@link QueueUpkeep}). What a bus on this database can reach at best.
 */
final class DatabaseLimit implements MessagingSystem {
  /** How sends and receives are grouped into transactions. */
  enum Batching {
    /** Every insert and every delete of one message is its own transaction. */
    COMMIT_PER_MESSAGE("PostgreSQL, commit per message", 1),
    /**
     * Producers' inserts go through a {@link GroupCommitter}; consumers delete up to 200 messages
     * per transaction. (A sibus consumer receives up to 50 at once; but the limit is what a bus on
     * this database could reach at best, and with 50 the consumers fell behind 16 producers.)
     */
    GROUP_COMMIT("PostgreSQL, group commit", 200);

    final String label;
    final int takePerCommit;

    Batching(String label, int takePerCommit) {
      this.label = label;
      this.takePerCommit = takePerCommit;
    }
  }

  private final String jdbcUrl;
  private final Batching batching;
  private final GroupCommitter committer;
  private final QueueUpkeep upkeep;

  private DatabaseLimit(
      String jdbcUrl, Batching batching, GroupCommitter committer, QueueUpkeep upkeep) {
    this.jdbcUrl = jdbcUrl;
    this.batching = batching;
    this.committer = committer;
    this.upkeep = upkeep;
  }

  /** Opens the limit on the queue table of the database at {@code jdbcUrl}. */
  static DatabaseLimit open(String jdbcUrl, Batching batching) throws SQLException {
    QueueUpkeep upkeep = QueueUpkeep.start(jdbcUrl);
    try {
      GroupCommitter committer =
          batching == Batching.GROUP_COMMIT
              ? new GroupCommitter(jdbcUrl, LocalPostgres.USER)
              : null;
      return new DatabaseLimit(jdbcUrl, batching, committer, upkeep);
    } catch (SQLException | RuntimeException e) {
      try {
        upkeep.close();
      } catch (SQLException closing) {
        e.addSuppressed(closing);
      }
      throw e;
    }
  }

  @Override
  public String name() {
    return batching.label;
  }

  @Override
  public Sender sender() throws SQLException {
    if (committer != null) {
      return committer::insert;
    }
    Connection c = connect();
    PreparedStatement insert = c.prepareStatement(BenchmarkSql.INSERT);
    return new Sender() {
      @Override
      public void send(byte[] body) throws SQLException {
        insert.setBytes(1, body);
        insert.executeUpdate(); // auto-commit: returns after the commit
      }

      @Override
      public void close() throws SQLException {
        c.close();
      }
    };
  }

  @Override
  public Receiver receiver() throws SQLException {
    Connection c = connect();
    try (Statement s = c.createStatement()) {
      s.execute(BenchmarkSql.INDEX_PLANS);
    }
    PreparedStatement take = c.prepareStatement(BenchmarkSql.TAKE);
    take.setInt(1, batching.takePerCommit);
    return new Receiver() {
      @Override
      public void receive(Deliveries deliveries) throws Exception {
        int taken = 0;
        try (ResultSet rows = take.executeQuery()) { // auto-commit: the delete is committed
          while (rows.next()) {
            deliveries.delivered(rows.getBytes(1));
            taken++;
          }
        }
        if (taken > 0) {
          deliveries.acknowledged(taken);
        }
        if (taken < batching.takePerCommit) {
          Thread.sleep(CONSUMER_LINGER_MILLIS);
        }
      }

      @Override
      public void close() throws SQLException {
        c.close();
      }
    };
  }

  @Override
  public void empty() throws SQLException {
    try (Connection c = connect()) {
      BenchmarkSql.emptyQueue(c);
    }
  }

  private Connection connect() throws SQLException {
    return DriverManager.getConnection(jdbcUrl, LocalPostgres.USER, "");
  }

  @Override
  public void close() throws Exception {
    try {
      if (committer != null) {
        committer.close();
      }
    } finally {
      upkeep.close();
    }
  }
}
