package io.sibus.datastore;

import java.sql.SQLException;

/** Classifies a JDBC failure by its SQLSTATE into the error class that decides what happens. */
public final class SqlErrors {
  private SqlErrors() {}

  /** True when the failure means the connection to the database was lost or refused. */
  public static boolean isConnectionLoss(SQLException e) {
    String state = state(e);
    return state == null
        || state.startsWith("08")
        || state.equals("57P01") // admin shutdown
        || state.equals("57P02") // crash shutdown
        || state.equals("57P03") // cannot connect now (starting up, shutting down)
        || state.equals("53300"); // too many connections
  }

  /** The error class of a failure of a statement the engine runs while it is active. */
  public static ErrorClass classify(SQLException e) {
    String state = state(e);
    if (state != null && (state.equals("40001") || state.equals("40P01"))) {
      return ErrorClass.RECOVERABLE; // serialization failure, deadlock victim: retry
    }
    if (state != null
        && (state.equals("42P01") || state.equals("42703") || state.equals("42883"))) {
      return ErrorClass.GLOBAL; // undefined table, column or function: the store was altered
    }
    return ErrorClass.LOCAL;
  }

  /**
   * A {@link ErrorClass#GLOBAL} failure of a running engine's statement: its tables were altered.
   */
  public static StoreException altered(SQLException e) {
    return new StoreException(
        ErrorClass.GLOBAL,
        "SIBUS1537E",
        "The data store has been altered: " + e.getMessage(),
        "Restore the data store from a backup, or repair its tables to match 'sibus ddl', then"
            + " start the engine again.",
        e);
  }

  /** The first SQLSTATE in the exception chain, or null for an I/O failure without one. */
  public static String state(SQLException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLException sql && sql.getSQLState() != null) {
        return sql.getSQLState();
      }
    }
    return null;
  }
}
