package io.sibus.perf;

import io.sibus.local.LocalPostgres;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Gives the benchmark's new PostgreSQL the write-ahead log a long-running server has: files written
 * out in full once, then recycled at each checkpoint. A new cluster has none, so until its first
 * checkpoint every WAL block is allocated as the log is written, and each commit's flush also
 * writes the file system's metadata: a write and flush of 8 KiB took 157-183 µs at the median
 * there, against 106-137 µs in a file whose blocks exist. The systems measured would otherwise pay
 * for the cluster's youth rather than for their own commits.
 *
 * <p>{@code min_wal_size} (1 GB) keeps the reserve, and each checkpoint then recycles the files it
 * frees for the log to go on into: every system measured, in whatever order, writes into files that
 * exist (nearly always: a spread checkpoint finishes about when the recycled files run out, and a
 * few new files can appear under sustained load). The checkpoints themselves come as PostgreSQL's
 * defaults set them off, as they did before ({@code max_wal_size} is raised only while the reserve
 * is written, so that the switches do not set off checkpoints that recycle half of it on the way).
 */
final class WalReserve {
  /** Files written and kept for recycling: 64 of 16 MB, {@code min_wal_size}. */
  static final int SEGMENTS = 64;

  private static final String MIN_WAL_SIZE = SEGMENTS * 16 + "MB";
  private static final String MAX_WAL_SIZE_WHILE_WRITING = 4 * SEGMENTS * 16 + "MB";

  private WalReserve() {}

  /** What the reserve gives the server, for the report's setup lines. */
  static String describe() {
    return "min_wal_size "
        + MIN_WAL_SIZE
        + ", "
        + SEGMENTS
        + " WAL files written in full and recycled before the first run, as on a long-running"
        + " server";
  }

  /**
   * Keeps {@link #SEGMENTS} WAL files, writes that many out in full (each switch writes out the
   * rest of its file; those this session creates are zero-filled first), then checkpoints, which
   * recycles them as the files the log goes on into.
   */
  static void prepare(LocalPostgres postgres) throws SQLException, InterruptedException {
    try (Connection c = postgres.connect();
        Statement s = c.createStatement()) {
      s.execute("ALTER SYSTEM SET min_wal_size = '" + MIN_WAL_SIZE + "'");
      s.execute("ALTER SYSTEM SET max_wal_size = '" + MAX_WAL_SIZE_WHILE_WRITING + "'");
      s.execute("SELECT pg_reload_conf()");
      awaitSetting(s, "max_wal_size", MAX_WAL_SIZE_WHILE_WRITING);
      s.execute("SET wal_init_zero = on"); // this session creates the files below
      for (int i = 0; i < SEGMENTS; i++) {
        switchWal(s);
      }
      s.execute("CHECKPOINT");
      // The checkpoint's own record opened a new file, possibly sparse: write it out too, so that
      // the log goes on in a recycled one.
      switchWal(s);
      s.execute("ALTER SYSTEM RESET max_wal_size");
      s.execute("SELECT pg_reload_conf()");
    }
  }

  /** Writes a record (a switch needs one since the last) and goes on to the next WAL file. */
  private static void switchWal(Statement s) throws SQLException {
    s.execute("SELECT pg_logical_emit_message(false, 'sibus-perf', 'wal reserve', true)");
    s.execute("SELECT pg_switch_wal()");
  }

  /** Waits until this session runs with the reloaded {@code value} of {@code name}. */
  private static void awaitSetting(Statement s, String name, String value)
      throws SQLException, InterruptedException {
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (System.nanoTime() < deadline) {
      // current_setting spells 4096MB as 4GB: compare the sizes in bytes.
      try (ResultSet rs =
          s.executeQuery(
              "SELECT pg_size_bytes(current_setting('"
                  + name
                  + "')) = pg_size_bytes('"
                  + value
                  + "')")) {
        if (rs.next() && rs.getBoolean(1)) {
          return;
        }
      }
      Thread.sleep(20);
    }
    throw new SQLException(name + " was not reloaded as " + value + " within 10 s");
  }
}
