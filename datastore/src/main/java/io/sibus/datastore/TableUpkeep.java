package io.sibus.datastore;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLWarning;
import java.sql.Statement;

/**
 * Vacuuming the tables that churn. A queue table gets every row inserted, updated (the delivery
 * lock) and deleted within seconds, so it fills with dead row versions faster than autovacuum,
 * which visits a database at most once a minute, cleans them: at 1,600 messages/s the message table
 * grew to 160 MB for 16 live rows, outgrew the buffer cache, and its first vacuum then sent sends
 * to disk reads for seconds. Vacuumed as often as it needs, it stays a few MB.
 */
public final class TableUpkeep {
  private final SchemaName schema;

  public TableUpkeep(SchemaName schema) {
    this.schema = schema;
  }

  /**
   * Dead row versions PostgreSQL counts in the table (its statistics, which the server updates
   * about once a second).
   */
  public long deadRows(Connection c, Table table) throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement(
            "SELECT n_dead_tup FROM pg_stat_user_tables WHERE schemaname = ? AND relname = ?")) {
      s.setString(1, schema.value());
      s.setString(2, table.name());
      try (ResultSet rs = s.executeQuery()) {
        return rs.next() ? rs.getLong(1) : 0;
      }
    }
  }

  /**
   * Whether the table has its {@link StoreTables#storageOptions} (which the data store's DDL sets;
   * a store created by an older DDL lacks some).
   */
  public boolean hasStorageOptions(Connection c, Table table) throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement(
            "SELECT coalesce(t.reloptions @> ?::text[], false) FROM pg_class t"
                + " JOIN pg_namespace n ON n.oid = t.relnamespace"
                + " WHERE n.nspname = ? AND t.relname = ?")) {
      s.setArray(1, c.createArrayOf("text", StoreTables.storageOptions(table).toArray()));
      s.setString(2, schema.value());
      s.setString(3, table.name());
      try (ResultSet rs = s.executeQuery()) {
        return !rs.next() || rs.getBoolean(1); // no table: nothing to set
      }
    }
  }

  /**
   * Sets the table's {@link StoreTables#storageOptions}; only the table's owner may. Gives up with
   * {@link #LOCK_NOT_AVAILABLE} after 5 s behind another holder of the table (a manual vacuum, an
   * index build): sends and receives never wait for the option, but the engine's own vacuums would.
   */
  public void setStorageOptions(Connection c, Table table) throws SQLException {
    boolean autoCommit = c.getAutoCommit();
    c.setAutoCommit(false);
    try (Statement s = c.createStatement()) {
      s.execute("SET LOCAL lock_timeout = '5s'");
      s.execute(storageStatement(table));
      c.commit();
    } catch (SQLException e) {
      c.rollback();
      throw e;
    } finally {
      c.setAutoCommit(autoCommit);
    }
  }

  public String storageStatement(Table table) {
    return StoreTables.storageStatement(schema, table);
  }

  /** SQLSTATE of the warning of a vacuum skipped because another one holds the table. */
  public static final String LOCK_NOT_AVAILABLE = "55P03";

  /**
   * Vacuums the table, unless another vacuum (autovacuum) holds it: then nothing waits. Returns
   * PostgreSQL's warning when it skipped the table ({@link #LOCK_NOT_AVAILABLE}, or a role that may
   * not vacuum it), else null. Needs a connection in auto-commit: VACUUM cannot run inside a
   * transaction.
   */
  public SQLWarning vacuum(Connection c, Table table) throws SQLException {
    try (Statement s = c.createStatement()) {
      // TRUNCATE false: giving the empty tail back to the file system takes an ACCESS EXCLUSIVE
      // lock that holds up every send, and a queue table grows again within seconds anyway.
      s.execute("VACUUM (SKIP_LOCKED, TRUNCATE false) " + schema.qualify(table.name()));
      return s.getWarnings();
    }
  }
}
