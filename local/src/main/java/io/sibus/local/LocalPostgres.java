package io.sibus.local;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;

/**
 * A real PostgreSQL (the embedded binaries from Maven Central, no Docker) on a fixed port and data
 * directory, so that it can be stopped and started again with its data, as a database outage would.
 * Durability settings are PostgreSQL's defaults (fsync and synchronous commit on): figures measured
 * against it are honest.
 */
public final class LocalPostgres implements AutoCloseable {
  public static final String USER = "postgres";
  public static final String DATABASE = "postgres";

  private final Path dataDirectory;
  private final int port;
  private EmbeddedPostgres server;

  private LocalPostgres(Path dataDirectory, int port) {
    this.dataDirectory = dataDirectory;
    this.port = port;
  }

  /** Starts a new server with a fresh data directory under {@code workDirectory}. */
  public static LocalPostgres start(Path workDirectory) {
    try {
      Files.createDirectories(workDirectory);
      Path data = Files.createTempDirectory(workDirectory, "pgdata-");
      LocalPostgres postgres = new LocalPostgres(data, freePort());
      postgres.startServer();
      return postgres;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Starts a server on the data directory {@code dataDirectory}, initialised on first use and kept
   * afterwards (as a persistent volume keeps a database pod's data across restarts).
   */
  public static LocalPostgres open(Path dataDirectory) {
    try {
      Files.createDirectories(dataDirectory);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    LocalPostgres postgres = new LocalPostgres(dataDirectory, freePort());
    postgres.startServer();
    return postgres;
  }

  private void startServer() {
    try {
      server =
          EmbeddedPostgres.builder()
              .setDataDirectory(dataDirectory)
              .setCleanDataDirectory(false)
              .setPort(port)
              .setServerConfig("synchronous_commit", "on")
              .setServerConfig("fsync", "on")
              .setServerConfig("max_connections", "200")
              .setServerConfig("listen_addresses", "127.0.0.1")
              .setServerConfig("log_autovacuum_min_duration", "250ms") // slow vacuums, in its log
              // A new cluster has no old WAL files to recycle: until its first checkpoint, each
              // 16 MB of WAL opens a new file, which is otherwise zero-filled and flushed while
              // commits wait (53-86 ms every 4 s at 1,400 messages/s). Its blocks are allocated
              // as WAL is written. A long-running server mostly recycles its files instead.
              .setServerConfig("wal_init_zero", "off")
              .setRegisterShutdownHook(true)
              // PostgreSQL's own output goes to a file beside its data, not to the caller's log.
              .setOutputRedirector(ProcessBuilder.Redirect.appendTo(logFile()))
              .setErrorRedirector(ProcessBuilder.Redirect.appendTo(logFile()))
              .start();
    } catch (IOException e) {
      throw new UncheckedIOException("could not start the embedded PostgreSQL", e);
    }
  }

  /** PostgreSQL's server log. */
  public java.io.File logFile() {
    return dataDirectory.resolveSibling(dataDirectory.getFileName() + ".log").toFile();
  }

  public int port() {
    return port;
  }

  public String jdbcUrl() {
    return "jdbc:postgresql://127.0.0.1:" + port + "/" + DATABASE;
  }

  public boolean running() {
    return server != null;
  }

  /** Stops the server (fast shutdown: sessions are disconnected, data is kept). */
  public synchronized void stop() {
    if (server != null) {
      try {
        server.close();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } finally {
        server = null;
      }
    }
  }

  /** Starts the server again on the same port with the same data. */
  public synchronized void restart() {
    if (server == null) {
      startServer();
    }
  }

  public Connection connect() throws SQLException {
    return DriverManager.getConnection(jdbcUrl(), USER, "");
  }

  @Override
  public void close() {
    stop();
    Files2.deleteRecursively(dataDirectory);
  }

  static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      socket.setReuseAddress(true);
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
