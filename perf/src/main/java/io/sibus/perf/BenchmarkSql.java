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
  static final String INSERT = "INSERT INTO queue (body) VALUES (?)";

  /**
   * Takes up to {@code ?} of the oldest messages that no other consumer holds, and deletes them in
   * the same statement; the commit is the acknowledgement.
   */
  static final String TAKE =
      "DELETE FROM queue WHERE id IN"
          + " (SELECT id FROM queue ORDER BY id LIMIT ? FOR UPDATE SKIP LOCKED) RETURNING body";

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
