package io.sibus.datastore;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Compares the live tables of a schema with {@link StoreTables}: presence, columns and their types.
 * The owner row is checked by {@link Ownership}.
 */
public final class StoreVerifier {
  /** What the schema holds. */
  public enum Result {
    /** None of the data store tables exist: they may be created. */
    ABSENT,
    /** Every table and column is there with the right type. */
    PRESENT
  }

  private StoreVerifier() {}

  /**
   * Verifies the schema; a partial or altered set of tables is a global error (SIBUS1537E), since
   * every member would find the same damage.
   */
  public static Result verify(Connection connection, SchemaName schema) throws SQLException {
    Map<String, Map<String, String>> live = liveColumns(connection, schema);
    List<String> problems = new ArrayList<>();
    int present = 0;
    for (Table table : StoreTables.all()) {
      Map<String, String> columns = live.get(table.name());
      if (columns == null) {
        problems.add("table " + table.name() + " is missing");
        continue;
      }
      present++;
      for (Column column : table.columns()) {
        String type = columns.get(column.name());
        if (type == null) {
          problems.add("column " + table.name() + "." + column.name() + " is missing");
        } else if (!type.equals(column.dataType())) {
          problems.add(
              "column "
                  + table.name()
                  + "."
                  + column.name()
                  + " has type "
                  + type
                  + " instead of "
                  + column.dataType());
        }
      }
    }
    if (present == 0) {
      return Result.ABSENT;
    }
    if (!problems.isEmpty()) {
      throw new StoreException(
          ErrorClass.GLOBAL,
          "SIBUS1537E",
          "The data store in schema "
              + schema
              + " has been altered: "
              + String.join("; ", problems)
              + ".",
          "Restore the data store from a backup, or repair the tables to match the output of"
              + " 'sibus ddl --schema "
              + schema
              + "', then start the engine again.");
    }
    return Result.PRESENT;
  }

  private static Map<String, Map<String, String>> liveColumns(
      Connection connection, SchemaName schema) throws SQLException {
    Map<String, Map<String, String>> tables = new HashMap<>();
    try (PreparedStatement ps = connection.prepareStatement(StoreSql.COLUMNS)) {
      ps.setString(1, schema.value());
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          tables
              .computeIfAbsent(rs.getString(1), t -> new HashMap<>())
              .put(rs.getString(2), rs.getString(3));
        }
      }
    }
    return tables;
  }

  /** Creates every table in one transaction, so a failure leaves nothing half-created. */
  public static void create(Connection connection, SchemaName schema) throws SQLException {
    boolean autoCommit = connection.getAutoCommit();
    connection.setAutoCommit(false);
    try (var statement = connection.createStatement()) {
      for (String sql : StoreTables.createStatements(schema)) {
        statement.execute(sql);
      }
      connection.commit();
    } catch (SQLException e) {
      connection.rollback();
      throw e;
    } finally {
      connection.setAutoCommit(autoCommit);
    }
  }
}
