package io.sibus.datastore;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;
import java.util.UUID;

/**
 * The owner row: who may write. Taking the store checks the engine UUID, writes a new incarnation
 * and increments the epoch; every write transaction then proves it still holds that epoch ({@link
 * #fence}, {@link #fencedCommitStep}). Every fenced transaction holds a shared transaction-level
 * advisory lock from its epoch check to its commit; a takeover takes it exclusively before
 * incrementing the epoch, so it waits for the old holder's in-flight transactions and fails every
 * later one: two members can never both write. (A row lock {@code FOR SHARE} would do the same but
 * writes a multixact to the owner row in every transaction.)
 */
public final class Ownership {
  private static final String LOST_ACCESS_ACTION =
      "None: the member stops so that the active member serves the engine.";

  /**
   * Begins a fenced transaction that travels whole with its commit, in READ COMMITTED: its first
   * statement.
   */
  private static final StatementPipeline.Step BEGIN_READ_COMMITTED =
      new StatementPipeline.Step() {
        @Override
        public String sql() {
          return StoreSql.BEGIN_READ_COMMITTED;
        }

        @Override
        public int bind(Connection c, PreparedStatement ps, int first) {
          return first;
        }

        @Override
        public void read(PreparedStatement ps) {}
      };

  private final StoreSql sql;
  private final SchemaName schema;
  private final EngineIdentity identity;
  // Bound twice in every group commit; deriving it hashes the identity (MD5) each time.
  private final int[] fenceKey;

  public Ownership(SchemaName schema, EngineIdentity identity) {
    this.schema = schema;
    this.sql = new StoreSql(schema);
    this.identity = identity;
    this.fenceKey =
        identity == null ? null : identity.fenceKey(); // null: a reader of the owner row
  }

  /** The owner row, if there is one; a read without locks, for standbys and status. */
  public Optional<OwnerRecord> read(Connection connection) throws SQLException {
    try (PreparedStatement ps = connection.prepareStatement(sql.selectOwner);
        ResultSet rs = ps.executeQuery()) {
      return rs.next() ? Optional.of(record(rs)) : Optional.empty();
    }
  }

  /**
   * Takes the store for this engine (the caller holds the advisory lock and a transaction is opened
   * here). Fails with a global error when the store belongs to another engine or to a later sibus,
   * and with {@link FailoverSuppressedException} while a global error is recorded.
   */
  public Activation activate(Connection connection, String member, String url) throws SQLException {
    boolean autoCommit = connection.getAutoCommit();
    connection.setAutoCommit(false);
    try {
      Activation activation = activateInTransaction(connection, member, url);
      connection.commit();
      return activation;
    } catch (SQLException | RuntimeException e) {
      connection.rollback();
      throw e;
    } finally {
      connection.setAutoCommit(autoCommit);
    }
  }

  private Activation activateInTransaction(Connection connection, String member, String url)
      throws SQLException {
    UUID incarnation = UUID.randomUUID();
    try (PreparedStatement ps = connection.prepareStatement(StoreSql.FENCE_EXCLUSIVE)) {
      ps.setInt(1, fenceKey[0]);
      ps.setInt(2, fenceKey[1]);
      ps.executeQuery().close(); // waits for the old holder's fenced transactions to end
    }
    Optional<OwnerRecord> owner;
    try (PreparedStatement ps = connection.prepareStatement(sql.selectOwnerForUpdate);
        ResultSet rs = ps.executeQuery()) {
      owner = rs.next() ? Optional.of(record(rs)) : Optional.empty();
    }
    if (owner.isEmpty()) {
      if (hasRows(connection)) {
        throw foreign("nobody (the tables hold data but no owner row)");
      }
      insertOwner(connection, incarnation, member, url);
      return new Activation(1, incarnation, true);
    }
    mayActivate(owner.get());
    try (PreparedStatement ps = connection.prepareStatement(sql.activate)) {
      ps.setObject(1, incarnation);
      ps.setString(2, member);
      ps.setString(3, url);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return new Activation(rs.getLong(1), incarnation, false);
      }
    }
  }

  /** The owner row of a new data store: this engine's, at epoch 1. */
  private void insertOwner(Connection connection, UUID incarnation, String member, String url)
      throws SQLException {
    try (PreparedStatement ps = connection.prepareStatement(sql.insertOwner)) {
      ps.setObject(1, identity.uuid());
      ps.setString(2, identity.bus());
      ps.setString(3, identity.engine());
      ps.setInt(4, StoreTables.SCHEMA_VERSION);
      ps.setObject(5, incarnation);
      ps.setString(6, member);
      ps.setString(7, url);
      ps.executeUpdate();
    }
  }

  /**
   * Refuses to activate a store owned by another engine, written by a later sibus, or whose
   * failover is suppressed (a global error).
   */
  private void mayActivate(OwnerRecord found) {
    if (!found.engineUuid().equals(identity.uuid())) {
      throw foreign(
          "messaging engine "
              + found.engine()
              + " of bus "
              + found.bus()
              + " (UUID "
              + found.engineUuid()
              + ")");
    }
    if (found.schemaVersion() > StoreTables.SCHEMA_VERSION) {
      throw new StoreException(
          ErrorClass.GLOBAL,
          "SIBUS1537E",
          "The data store in schema "
              + schema
              + " has schema version "
              + found.schemaVersion()
              + ", written by a later sibus; this engine understands version "
              + StoreTables.SCHEMA_VERSION
              + ".",
          "Run the sibus version that wrote this data store, or restore a backup taken with this"
              + " version.");
    }
    if (found.failoverSuppressed()) {
      throw new FailoverSuppressedException(found.suppressedCode(), found.suppressedMessage());
    }
  }

  /**
   * Proves, as the first statement of the caller's write transaction, that this member still holds
   * {@code epoch}. A member that lost it gets a local error and must stop at once.
   */
  public void fence(Connection connection, long epoch) throws SQLException {
    StatementPipeline.run(connection, fenceStep(epoch));
  }

  /**
   * The epoch fence as the first step of a pipeline, and the first statement of its transaction (it
   * sets the transaction's isolation level): the shared lock and the epoch travel with the
   * transaction's writes, and reading the result fails the transaction when the epoch has moved.
   * Sent with {@link #fencedCommitStep}, a moved epoch fails the round trip before any result is
   * read, so this read never fails after a commit.
   */
  public StatementPipeline.Step fenceStep(long epoch) {
    return new StatementPipeline.Step() {
      @Override
      public String sql() {
        return sql.fence;
      }

      @Override
      public int bind(Connection c, PreparedStatement ps, int first) throws SQLException {
        return bindFenceKey(ps, first);
      }

      @Override
      public void read(PreparedStatement ps) throws SQLException {
        long current = -1;
        ps.getMoreResults(); // past the isolation level, to the shared lock
        ps.getResultSet().close();
        if (ps.getMoreResults()) {
          try (ResultSet rs = ps.getResultSet()) {
            current = rs.next() ? rs.getLong(1) : -1;
          }
        }
        if (current != epoch) {
          throw lostAccess(epoch, current);
        }
      }
    };
  }

  /**
   * A pipeline for a write transaction fenced at {@code epoch}, to end with {@link
   * #fencedCommitStep}. A transaction whose statements all travel with its COMMIT (a batch of
   * sends, locks and acknowledgements: one round trip) proves the epoch at the commit alone, since
   * nothing it wrote is seen unless that check passes: it begins itself in READ COMMITTED, for the
   * check's snapshot, and skips the fence's lock and read (two statements of about nine). A
   * transaction that reads a result before its commit (an idempotency claim, a delivery stream's
   * work) opens with the full {@link #fenceStep}, so that a member that lost the store learns it
   * before it acts on what it read.
   *
   * <p>The commit-only form takes its row locks before the fence's shared lock. Should a takeover
   * be waiting for that lock just then, behind another transaction of this member that waits for
   * one of those rows, PostgreSQL finds the cycle after {@code deadlock_timeout} and lets the
   * shared lock go first: the takeover waits about a second longer, and nothing commits at a stale
   * epoch.
   */
  public StatementPipeline fencedPipeline(long epoch) {
    return new StatementPipeline(fenceStep(epoch), BEGIN_READ_COMMITTED);
  }

  /**
   * The COMMIT of a fenced transaction, to send with its last statements: it commits only while the
   * store is at {@code epoch}; otherwise the pipeline fails with a division by zero ({@link
   * #failedEpochCheck}), nothing is committed, and {@link #fence} run afterwards tells the store's
   * epoch.
   */
  public StatementPipeline.Step fencedCommitStep(long epoch) {
    return new StatementPipeline.Step() {
      @Override
      public String sql() {
        return sql.fencedCommit;
      }

      @Override
      public int bind(Connection c, PreparedStatement ps, int first) throws SQLException {
        int next = bindFenceKey(ps, first);
        ps.setLong(next, epoch);
        return next + 1;
      }

      @Override
      public void read(PreparedStatement ps) throws SQLException {
        ps.getMoreResults(); // past the lock and the epoch check, to the COMMIT's
        ps.getMoreResults();
      }
    };
  }

  /** Binds the two keys of the fence's shared lock from {@code first}; returns the next index. */
  private int bindFenceKey(PreparedStatement ps, int first) throws SQLException {
    ps.setInt(first, fenceKey[0]);
    ps.setInt(first + 1, fenceKey[1]);
    return first + 2;
  }

  /**
   * True when {@code failure} is a {@link #fencedCommitStep}'s epoch check failing (a division by
   * zero: no owner row at the held epoch), which no other statement of the engine raises. The store
   * is then no longer at the held epoch, whether or not its current epoch can be read.
   */
  public static boolean failedEpochCheck(SQLException failure) {
    return "22012".equals(SqlErrors.state(failure));
  }

  /** The failure of a member whose commit found the store no longer at {@code held}. */
  public static StoreException lostAccess(long held) {
    return new StoreException(
        ErrorClass.LOCAL,
        "SIBUS0052E",
        "This member lost exclusive access to the data store: it holds epoch "
            + held
            + " but the store is no longer at it, so another member has taken over.",
        LOST_ACCESS_ACTION);
  }

  private static StoreException lostAccess(long held, long current) {
    return new StoreException(
        ErrorClass.LOCAL,
        "SIBUS0052E",
        "This member lost exclusive access to the data store: it holds epoch "
            + held
            + " but the store is at epoch "
            + current
            + ", so another member has taken over.",
        LOST_ACCESS_ACTION);
  }

  /** Records a global error where standbys look before they activate. */
  public void suppressFailover(Connection connection, String code, String message)
      throws SQLException {
    try (PreparedStatement ps = connection.prepareStatement(sql.suppress)) {
      ps.setString(1, code);
      ps.setString(2, message);
      ps.setObject(3, identity.uuid());
      ps.executeUpdate();
    }
  }

  /** Lifts the failover suppression: a person has fixed the cause and starts the engine again. */
  public void clearSuppression(Connection connection) throws SQLException {
    try (PreparedStatement ps = connection.prepareStatement(sql.clearSuppression)) {
      ps.executeUpdate();
    }
  }

  private boolean hasRows(Connection connection) throws SQLException {
    try (PreparedStatement ps = connection.prepareStatement(sql.anyRows);
        ResultSet rs = ps.executeQuery()) {
      rs.next();
      return rs.getBoolean(1);
    }
  }

  private StoreException foreign(String owner) {
    return new StoreException(
        ErrorClass.GLOBAL,
        "SIBUS1535E",
        "The data store in schema "
            + schema
            + " is owned by "
            + owner
            + ", not by messaging engine "
            + identity.engine()
            + " of bus "
            + identity.bus()
            + " (UUID "
            + identity.uuid()
            + ").",
        "Give this engine its own schema (sibus.datastore.schema), or, if the old engine is gone"
            + " for good, remove its tables with the statements of 'sibus ddl --schema "
            + schema
            + " --drop'.");
  }

  private static OwnerRecord record(ResultSet rs) throws SQLException {
    return new OwnerRecord(
        rs.getObject(1, UUID.class),
        rs.getString(2),
        rs.getString(3),
        rs.getInt(4),
        rs.getObject(5, UUID.class),
        rs.getLong(6),
        rs.getString(7),
        rs.getString(8),
        rs.getString(9),
        rs.getString(10));
  }
}
