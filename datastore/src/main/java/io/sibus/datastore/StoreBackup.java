package io.sibus.datastore;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;

/**
 * Backup and restore of one data store over JDBC (no pg_dump): every table exported with COPY in
 * one REPEATABLE READ snapshot; restored in one transaction that recreates the tables, loads them,
 * keeps what the current store holds and the restored configuration has no place for (on the
 * exception destination), never moves the epoch back, and verifies the result.
 */
public final class StoreBackup {
  private final SchemaName schema;
  private final StoreSql sql;

  public StoreBackup(SchemaName schema) {
    this.schema = schema;
    this.sql = new StoreSql(schema);
  }

  /** Where each table's rows go, and how many there were. */
  public interface Sink {
    OutputStream open(Table table) throws IOException;
  }

  /** What an export found. */
  public record Export(
      OwnerRecord owner,
      Map<String, Long> rows,
      Map<String, Long> messagesByDestination,
      Map<String, Long> heldByTarget) {}

  /** Exports every table in one consistent snapshot of the store. */
  public Export export(Connection c, Sink sink) throws SQLException, IOException {
    c.setAutoCommit(false);
    try (Statement s = c.createStatement()) {
      s.execute(StoreSql.SNAPSHOT);
      CopyManager copy = c.unwrap(PGConnection.class).getCopyAPI();
      Map<String, Long> rows = new LinkedHashMap<>();
      for (Table table : StoreTables.all()) {
        try (OutputStream out = sink.open(table)) {
          rows.put(table.name(), copy.copyOut(StoreSql.copyOut(schema, table), out));
        }
      }
      OwnerRecord owner = new Ownership(schema, null).read(c).orElse(null);
      Map<String, Long> messages = new MessageStore(schema).countByDestination(c);
      Map<String, Long> held = new StreamStore(schema).countTransmit(c);
      c.commit();
      return new Export(owner, rows, messages, held);
    } catch (SQLException | IOException | RuntimeException e) {
      c.rollback();
      throw e;
    } finally {
      c.setAutoCommit(true);
    }
  }

  /** Where each table's exported rows come from. */
  public interface Source {
    InputStream open(Table table) throws IOException;
  }

  /** What a restore did (or, planned, would do). */
  public record Result(
      Map<String, Long> rows,
      int salvaged,
      Map<String, Long> notBroughtBack,
      boolean currentStoreReadable) {}

  /**
   * Restores the store from {@code source} in one transaction.
   *
   * @param destinations the destinations of this engine in the restored configuration
   * @param exception this engine's exception destination
   * @param dryRun compute what would change from reads only (the backup's messages in a temporary
   *     table), changing nothing
   */
  public Result restore(
      Connection c, Source source, Set<String> destinations, String exception, boolean dryRun)
      throws SQLException, IOException {
    long epoch = currentEpoch(c);
    c.setAutoCommit(false);
    try (Statement s = c.createStatement()) {
      CopyManager copy = c.unwrap(PGConnection.class).getCopyAPI();
      s.execute(sql.restoreTemp);
      try (InputStream in = source.open(StoreTables.MESSAGE)) {
        copy.copyIn(StoreSql.copyIn("sibus_restore_message"), in);
      }
      List<MessageRow> salvage = new ArrayList<>();
      Map<String, Long> lost = new LinkedHashMap<>();
      boolean readable = readCurrent(c, destinations, exception, salvage, lost);
      if (dryRun) {
        // Only reads of the live tables: dropping them, even in a transaction rolled back, would
        // hold exclusive locks that stall the engine still running on them.
        long messages = count(s, sql.countRestoreMessages);
        c.rollback();
        return new Result(
            Map.of(StoreTables.MESSAGE.name(), messages), salvage.size(), lost, readable);
      }
      Map<String, Long> rows = replaceTables(s, copy, source);
      keep(c, salvage, exception);
      try (PreparedStatement ps = c.prepareStatement(sql.keepEpoch)) {
        ps.setLong(1, epoch);
        ps.executeUpdate();
      }
      s.execute(sql.resetTransmitPositions);
      verify(c);
      c.commit();
      return new Result(rows, salvage.size(), lost, readable);
    } catch (SQLException | IOException | RuntimeException e) {
      c.rollback();
      throw e;
    } finally {
      c.setAutoCommit(true);
    }
  }

  /**
   * Drops the store's tables and creates them again with the backup's rows: the messages from the
   * temporary table the restore read them into, every other table copied in from {@code source}.
   * Returns the rows of each table.
   */
  private Map<String, Long> replaceTables(Statement s, CopyManager copy, Source source)
      throws SQLException, IOException {
    for (String statement : StoreTables.dropStatements(schema)) {
      if (!statement.startsWith("DROP SCHEMA")) {
        s.execute(statement);
      }
    }
    for (String statement : StoreTables.createStatements(schema)) {
      s.execute(statement);
    }
    Map<String, Long> rows = new LinkedHashMap<>();
    for (Table table : StoreTables.all()) {
      if (table == StoreTables.MESSAGE) {
        rows.put(table.name(), (long) s.executeUpdate(sql.restoreMessages));
      } else {
        try (InputStream in = source.open(table)) {
          rows.put(table.name(), copy.copyIn(StoreSql.copyIn(schema.qualify(table.name())), in));
        }
      }
    }
    return rows;
  }

  private static long count(Statement s, String query) throws SQLException {
    try (ResultSet rs = s.executeQuery(query)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private long currentEpoch(Connection c) {
    try (PreparedStatement ps = c.prepareStatement(sql.currentEpoch);
        ResultSet rs = ps.executeQuery()) {
      return rs.next() ? rs.getLong(1) : 0;
    } catch (SQLException e) {
      return 0; // no owner row, or no tables at all: nothing to keep
    }
  }

  /**
   * What the current store holds that the backup does not: kept, or counted as not brought back.
   */
  private boolean readCurrent(
      Connection c,
      Set<String> destinations,
      String exception,
      List<MessageRow> salvage,
      Map<String, Long> lost)
      throws SQLException {
    var savepoint = c.setSavepoint();
    try {
      var known = c.createArrayOf("text", destinations.toArray());
      try (PreparedStatement ps = c.prepareStatement(sql.salvage)) {
        ps.setString(1, exception);
        ps.setArray(2, known);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            salvage.add(MessageStore.row(rs));
          }
        }
      }
      try (PreparedStatement ps = c.prepareStatement(sql.notBroughtBack)) {
        ps.setString(1, exception);
        ps.setArray(2, known);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            lost.put(rs.getString(1), rs.getLong(2));
          }
        }
      }
      c.releaseSavepoint(savepoint);
      return true;
    } catch (SQLException | RuntimeException e) {
      c.rollback(savepoint); // the current store is damaged or absent: nothing to keep from it
      salvage.clear();
      lost.clear();
      return false;
    }
  }

  /** Messages of destinations the restored configuration lacks go to the exception destination. */
  private void keep(Connection c, List<MessageRow> salvage, String exception) throws SQLException {
    if (salvage.isEmpty()) {
      return;
    }
    MessageStore messages = new MessageStore(schema);
    long seq = messages.maxSeq(c);
    List<MessageRow> rows = new ArrayList<>();
    for (MessageRow row : salvage) {
      MessageRow moved =
          row.destination().equals(exception)
              ? row
              : row.movedTo(
                  exception,
                  withReason(
                      row.propertiesJson(),
                      "SIBUS0302W destination "
                          + row.destination()
                          + " is not in the restored configuration (created after the backup)",
                      row.destination()));
      rows.add(
          new MessageRow(
              ++seq,
              moved.messageId(),
              moved.destination(),
              moved.priority(),
              moved.reliability(),
              moved.contentType(),
              moved.correlationId(),
              moved.propertiesJson(),
              moved.body(),
              moved.enqueuedAtMillis(),
              moved.expiresAtMillis(),
              0,
              moved.checksum()));
    }
    messages.insert(c, rows);
  }

  private static String withReason(String json, String reason, String destination) {
    String body = json == null || json.isBlank() ? "{}" : json.trim();
    String extra =
        "\"sibus.exception.destination\":"
            + quote(destination)
            + ",\"sibus.exception.reason\":"
            + quote(reason);
    return body.equals("{}")
        ? "{" + extra + "}"
        : body.substring(0, body.length() - 1) + "," + extra + "}";
  }

  private static String quote(String text) {
    StringBuilder out = new StringBuilder("\"");
    for (char ch : text.toCharArray()) {
      switch (ch) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        default -> {
          if (ch < 0x20) {
            out.append(String.format("\\u%04x", (int) ch));
          } else {
            out.append(ch);
          }
        }
      }
    }
    return out.append('"').toString();
  }

  /** The restored store must pass the engine's own checks: tables, and every message's checksum. */
  private void verify(Connection c) throws SQLException {
    StoreVerifier.verify(c, schema);
    List<String> damaged = new ArrayList<>();
    new MessageStore(schema)
        .readAll(
            c,
            row -> {
              if (!row.checksumValid()) {
                damaged.add(row.messageId());
              }
            });
    if (!damaged.isEmpty()) {
      throw new StoreException(
          ErrorClass.GLOBAL,
          "SIBUS1539E",
          damaged.size()
              + " restored message(s) do not match their checksum (first "
              + damaged.get(0)
              + "): the backup is damaged. Nothing was changed.",
          "Restore from another backup.");
    }
  }
}
