package io.sibus.engine.store;

import io.sibus.datastore.StoreTables;
import io.sibus.datastore.Table;
import io.sibus.datastore.TableUpkeep;
import io.sibus.engine.health.Faults;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLWarning;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.jboss.logging.Logger;

/**
 * The active member vacuums its own queue tables once they hold {@code threshold} dead row
 * versions, checked every second on a thread of its own (a vacuum never holds up a send).
 * Autovacuum comes at most once a minute, far too rarely for tables whose every row dies within
 * seconds; see {@link TableUpkeep}. On every start it also gives the queue tables of a data store
 * created by an older DDL the storage options they lack ({@link StoreTables#storageOptions}).
 */
public final class Vacuuming {
  private static final Logger LOG = Logger.getLogger(Vacuuming.class);
  private static final long CHECK_EVERY_MILLIS = 1_000;

  private final DataSource dataSource;
  private final TableUpkeep upkeep;
  private final long threshold;
  private final Faults faults;
  private final Set<String> refused = new HashSet<>();
  private ScheduledExecutorService executor;
  private volatile StoreFailures failures;

  /**
   * @param threshold dead row versions that call for a vacuum; 0 leaves the tables to autovacuum
   */
  public Vacuuming(DataSource dataSource, TableUpkeep upkeep, long threshold, Faults faults) {
    this.dataSource = dataSource;
    this.upkeep = upkeep;
    this.threshold = threshold;
    this.faults = faults;
  }

  /** Starts the checks; an Error that ends them is reported to {@code failures}. */
  public synchronized void start(StoreFailures failures) {
    stop();
    this.failures = failures;
    executor =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "sibus-vacuum");
              t.setDaemon(true);
              return t;
            });
    executor.execute(this::setMissingStorageOptions);
    if (threshold > 0) {
      executor.scheduleWithFixedDelay(
          this::check, CHECK_EVERY_MILLIS, CHECK_EVERY_MILLIS, TimeUnit.MILLISECONDS);
    }
  }

  public synchronized void stop() {
    if (executor != null) {
      executor.shutdownNow();
      executor = null;
    }
  }

  /** On this thread, not the activation's: the options wait for any vacuum of the table. */
  private void setMissingStorageOptions() {
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(true);
      for (Table table : StoreTables.QUEUES) {
        if (!upkeep.hasStorageOptions(c, table)) {
          setStorageOptions(c, table);
        }
      }
    } catch (SQLException e) {
      LOG.debugf("could not read the queue tables' options: %s", e.getMessage());
    }
  }

  private void setStorageOptions(Connection c, Table table) {
    String options = String.join(", ", StoreTables.storageOptions(table));
    try {
      upkeep.setStorageOptions(c, table);
      LOG.infof("Table %s now has the storage options %s", table.name(), options);
    } catch (SQLException e) {
      if (TableUpkeep.LOCK_NOT_AVAILABLE.equals(e.getSQLState())) {
        LOG.infof(
            "Table %s is held by other work; the engine sets its storage options %s at its next"
                + " start",
            table.name(), options);
        return;
      }
      LOG.warnf(
          "SIBUS1542W The engine cannot set the storage options %s of its table %s (%s):"
              + " autovacuum may truncate it under a lock that holds up every send and"
              + " receive%s. Run '%s' as the table's owner.",
          options,
          table.name(),
          e.getMessage(),
          table.equals(StoreTables.MESSAGE)
              ? ", and delivery locks may rewrite whole rows on other pages"
              : "",
          upkeep.storageStatement(table));
    }
  }

  private void check() {
    try (Connection c = dataSource.getConnection()) {
      faults.maybeFail(Faults.Duty.VACUUMING);
      c.setAutoCommit(true);
      for (Table table : StoreTables.QUEUES) {
        if (!refused.contains(table.name()) && upkeep.deadRows(c, table) >= threshold) {
          vacuum(c, table);
        }
      }
    } catch (SQLException e) {
      // The data store's own failures are the writers' to report; this only tries again.
      LOG.debugf("vacuum check failed: %s", e.getMessage());
    } catch (RuntimeException e) {
      // The executor would cancel the checks for good, without a word.
      LOG.warnf(e, "SIBUS0051W The vacuum check failed and will run again: %s", e.getMessage());
    } catch (Error e) {
      failures.dutyEnded("vacuuming of the queue tables", e);
      throw e;
    }
  }

  private void vacuum(Connection c, Table table) throws SQLException {
    long started = System.nanoTime();
    SQLWarning skipped = upkeep.vacuum(c, table);
    LOG.debugf(
        "vacuumed %s in %d ms%s",
        table.name(),
        (System.nanoTime() - started) / 1_000_000,
        skipped == null ? "" : " (" + skipped.getMessage() + ")");
    if (skipped == null || TableUpkeep.LOCK_NOT_AVAILABLE.equals(skipped.getSQLState())) {
      return; // done, or autovacuum is at it
    }
    refused.add(table.name());
    LOG.warnf(
        "SIBUS1541W The engine cannot vacuum its table %s (%s); only autovacuum cleans it now,"
            + " and a busy queue table can then grow and slow the engine. Let the engine's"
            + " database role own its tables, or set sibus.engine.vacuum-threshold=0 to leave"
            + " them to autovacuum on purpose.",
        table.name(), skipped.getMessage());
  }
}
