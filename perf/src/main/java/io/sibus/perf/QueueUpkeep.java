package io.sibus.perf;

import io.sibus.datastore.SchemaName;
import io.sibus.datastore.Table;
import io.sibus.datastore.TableUpkeep;
import io.sibus.local.LocalPostgres;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.SQLWarning;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Vacuums the database limit's queue table as an engine vacuums its own: checked every second,
 * vacuumed once it holds {@link #DEAD_ROWS} dead rows, by the data store's {@link TableUpkeep}.
 * Without it the limit is not the best this database can do: autovacuum comes once a minute, so
 * each take of the consumers scanned ever more deleted rows at the head of the queue. On the
 * development machine, 16 producers and 4 consumers then sent about 10,000 messages/s but received
 * 2,100–2,700/s; vacuumed (and with the take of {@link BenchmarkSql#TAKE}), they sent and received
 * 19,400–20,600/s each.
 */
final class QueueUpkeep implements AutoCloseable {
  /** The default of the engine's {@code sibus.engine.vacuum-threshold}. */
  static final long DEAD_ROWS = 10_000;

  private static final Table QUEUE = new Table(BenchmarkSql.QUEUE, List.of(), List.of());

  private final TableUpkeep upkeep = new TableUpkeep(new SchemaName("public"));
  private final Connection connection;
  private volatile boolean failed;
  private final ScheduledExecutorService executor =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "perf-queue-vacuum");
            t.setDaemon(true);
            return t;
          });

  private QueueUpkeep(Connection connection) {
    this.connection = connection;
  }

  /** Starts vacuuming the queue table of the database at {@code jdbcUrl}. */
  static QueueUpkeep start(String jdbcUrl) throws SQLException {
    QueueUpkeep upkeep =
        new QueueUpkeep(DriverManager.getConnection(jdbcUrl, LocalPostgres.USER, ""));
    upkeep.executor.scheduleWithFixedDelay(upkeep::check, 1, 1, TimeUnit.SECONDS);
    return upkeep;
  }

  private void check() {
    try {
      if (upkeep.deadRows(connection, QUEUE) >= DEAD_ROWS) {
        SQLWarning skipped = upkeep.vacuum(connection, QUEUE);
        if (skipped != null && !TableUpkeep.LOCK_NOT_AVAILABLE.equals(skipped.getSQLState())) {
          failed(skipped.getMessage());
        }
      }
    } catch (SQLException | RuntimeException e) {
      failed(e.toString()); // and the next check tries again
    }
  }

  /** A limit that is not vacuumed is not the limit: the run says so, once. */
  private void failed(String why) {
    if (!failed) {
      failed = true;
      System.out.println("the database limit's queue was not vacuumed: " + why);
    }
  }

  @Override
  public void close() throws SQLException {
    executor.shutdownNow();
    try {
      if (!executor.awaitTermination(30, TimeUnit.SECONDS)) { // a vacuum under way ends first
        connection.abort(Runnable::run); // else it is cut off
        return;
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    connection.close();
  }
}
