package io.sibus.engine.lifecycle;

import io.sibus.datastore.ErrorClass;
import io.sibus.datastore.StoreException;
import io.sibus.datastore.StoreVerifier;
import io.sibus.engine.config.SibusConfig;
import io.sibus.engine.error.ErrorLog;
import io.sibus.engine.store.StoreContext;
import java.sql.Connection;
import java.sql.SQLException;

/**
 * The data store's tables, checked by a member that holds the store's lock, before it takes
 * ownership: verified ({@link StoreVerifier} refuses tables whose columns were altered; the owner
 * row is the ownership's to check), or created where there are none and {@code
 * sibus.datastore.create-tables} allows it.
 */
final class TableSetup {
  private final SibusConfig config;
  private final ErrorLog errors;
  private final StoreContext context;

  TableSetup(SibusConfig config, ErrorLog errors, StoreContext context) {
    this.config = config;
    this.errors = errors;
    this.context = context;
  }

  void verifyOrCreate(Connection connection) throws SQLException {
    if (StoreVerifier.verify(connection, context.schema()) == StoreVerifier.Result.ABSENT) {
      create(connection);
    }
  }

  private void create(Connection connection) throws SQLException {
    String engine = config.engine().name();
    if (!config.datastore().createTables()) {
      throw new StoreException(
          ErrorClass.GLOBAL,
          "SIBUS1536E",
          "The data store tables of messaging engine "
              + engine
              + " do not exist in schema "
              + context.schema()
              + ", and sibus.datastore.create-tables is false.",
          "Have a database administrator run the statements printed by 'sibus ddl --schema "
              + context.schema()
              + "', then start the engine (POST /api/v1/engine/start, or restart the member).");
    }
    StoreVerifier.create(connection, context.schema());
    errors.info(
        "SIBUS1540I",
        "The data store tables of messaging engine "
            + engine
            + " were created in schema "
            + context.schema()
            + ".");
  }
}
