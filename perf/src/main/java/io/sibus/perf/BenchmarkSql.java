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
   * Takes up to {@code ?} of the oldest messages that no other consumer holds, and deletes them in
   * the same statement; the commit is the acknowledgement. Run it under {@link #INDEX_PLANS}.
   */
  static final String TAKE =
      "DELETE FROM queue WHERE id = ANY(ARRAY("
          + "SELECT id FROM queue ORDER BY id LIMIT ? FOR UPDATE SKIP LOCKED)) RETURNING body";

  /**
   * Keeps a take on the primary key whatever PostgreSQL believes the queue holds. Written as a join
   * ({@code id IN (SELECT ...)}), a take was planned from statistics gathered while the queue was
   * short (61 rows) as a hash join over every row of the queue, or, as a server-side statement with
   * a bound {@code LIMIT}, as a generic plan that assumed a tenth of the table and read all of it.
   * Once producers got ahead, each take read the whole queue for seconds, held back the vacuum's
   * horizon, and consumers stopped: in some runs 0 messages/s received. Looked up by {@code = ANY}
   * and with sequential scans off, the take has one plan: walk the primary key.
   */
  static final String INDEX_PLANS = "SET enable_seqscan = off";

  private static final Pattern DATABASE_NAME = Pattern.compile("[a-z][a-z0-9_]{0,30}");

  private BenchmarkSql() {}

  /**
   * Creates the database {@code name} anew, dropping whatever a run before left in it (and closing
   * any connection still open to it), and returns its JDBC URL as {@link #createDatabase} does.
   */
  static String recreateDatabase(LocalPostgres postgres, String name, int port)
      throws SQLException {
    checkName(name);
    try (Connection c = postgres.connect();
        Statement s = c.createStatement()) {
      // FORCE: a connection its last user left behind must not keep the database.
      s.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)"); // the name is checked above
    }
    return createDatabase(postgres, name, port);
  }

  /**
   * Creates the database {@code name} in the server of {@code postgres} and returns its JDBC URL,
   * which reaches the server on {@code port}: its own, or that of a relay in front of it ({@link
   * DelayRelay}).
   */
  static String createDatabase(LocalPostgres postgres, String name, int port) throws SQLException {
    checkName(name);
    try (Connection c = postgres.connect();
        Statement s = c.createStatement()) {
      s.execute("CREATE DATABASE " + name); // DDL takes no parameters; the name is checked above
    }
    return "jdbc:postgresql://127.0.0.1:" + port + "/" + name;
  }

  private static void checkName(String name) {
    if (!DATABASE_NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("not a database name: " + name);
    }
  }

  /** Creates the queue table of the database limit. */
  static void createQueue(Connection c) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute("CREATE TABLE queue (id bigserial PRIMARY KEY, body bytea NOT NULL)");
      // As the engine's queue tables (StoreTables.storageOptions); no fillfactor: no row is
      // updated.
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
