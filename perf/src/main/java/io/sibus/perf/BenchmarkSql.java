package io.sibus.perf;

import io.sibus.local.LocalPostgres;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.regex.Pattern;

/**
 * All SQL of the comparison: the databases it creates beside sibus's, and the queue table of the
 * database limit (one row per message, taken oldest first by concurrent consumers).
 */
final class BenchmarkSql {
  /** The database limit's queue table. */
  static final String QUEUE = "queue";

  static final String INSERT = "INSERT INTO queue (body) VALUES (?)";

  /**
   * Takes up to {@code rows} of the oldest messages that no other consumer holds, and deletes them
   * in the same statement; the commit is the acknowledgement. The count is written into the
   * statement, not bound: with a parameter, the driver's server-side statement switched after five
   * takes to PostgreSQL's generic plan, which assumes a tenth of the table, reads the whole queue
   * to join it with the rows taken, and took minutes per take once the queue had grown.
   */
  static String take(int rows) {
    return "DELETE FROM queue WHERE id IN (SELECT id FROM queue ORDER BY id LIMIT "
        + rows
        + " FOR UPDATE SKIP LOCKED) RETURNING body";
  }

  private static final Pattern DATABASE_NAME = Pattern.compile("[a-z][a-z0-9_]{0,30}");

  private BenchmarkSql() {}

  /**
   * Creates the database {@code name} in the server of {@code postgres} and returns its JDBC URL.
   */
  static String createDatabase(LocalPostgres postgres, String name) throws SQLException {
    if (!DATABASE_NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("not a database name: " + name);
    }
    try (Connection c = postgres.connect();
        Statement s = c.createStatement()) {
      s.execute("CREATE DATABASE " + name); // DDL takes no parameters; the name is checked above
    }
    return "jdbc:postgresql://127.0.0.1:" + postgres.port() + "/" + name;
  }

  /** Creates the queue table of the database limit. */
  static void createQueue(Connection c) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute("CREATE TABLE queue (id bigserial PRIMARY KEY, body bytea NOT NULL)");
      // As the engine's queue tables: see StoreTables.storageOptions.
      s.execute("ALTER TABLE queue SET (vacuum_truncate = false)");
    }
  }

  /** Removes every message, between runs (no consumer runs then). */
  static void emptyQueue(Connection c) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute("TRUNCATE queue");
    }
  }

  /** The server's version, for the report. */
  static String serverVersion(Connection c) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SHOW server_version")) {
      rs.next();
      return rs.getString(1);
    }
  }
}
