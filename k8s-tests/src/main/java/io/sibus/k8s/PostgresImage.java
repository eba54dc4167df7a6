package io.sibus.k8s;

import io.fabric8.kubernetes.api.model.ContainerPort;
import io.sibus.local.LocalPostgres;
import java.net.InetSocketAddress;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The {@code postgres} image: an embedded PostgreSQL (the binaries from Maven Central) on the pod's
 * data directory, reached on the pod IP and container port through a TCP proxy. As the official
 * image does, it creates {@code POSTGRES_USER} with {@code POSTGRES_PASSWORD} and the database
 * {@code POSTGRES_DB} when they do not exist.
 */
final class PostgresImage implements LocalImage {
  private static final Pattern IDENTIFIER = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

  @Override
  public LocalContainer start(ContainerLaunch launch) {
    Map<String, String> env = launch.environment();
    String user = identifier(env.getOrDefault("POSTGRES_USER", "postgres"), "POSTGRES_USER");
    String database = identifier(env.getOrDefault("POSTGRES_DB", user), "POSTGRES_DB");
    String password = env.getOrDefault("POSTGRES_PASSWORD", "");
    LocalPostgres postgres = LocalPostgres.open(launch.dataDirectory().resolve("pgdata"));
    try {
      createUserAndDatabase(postgres, user, password, database);
    } catch (SQLException e) {
      postgres.stop();
      throw new PodStartException(
          "CrashLoopBackOff", "initialising the database: " + e.getMessage());
    }
    int port = containerPort(launch);
    InetSocketAddress backend = new InetSocketAddress("127.0.0.1", postgres.port());
    try {
      TcpProxy proxy = TcpProxy.start(launch.podIp(), port, () -> List.of(backend));
      return new PostgresContainer(postgres, proxy);
    } catch (RuntimeException e) {
      postgres.stop();
      throw e;
    }
  }

  private static int containerPort(ContainerLaunch launch) {
    List<ContainerPort> ports = launch.container().getPorts();
    return ports == null || ports.isEmpty() ? 5432 : ports.get(0).getContainerPort();
  }

  private static String identifier(String value, String variable) {
    if (!IDENTIFIER.matcher(value).matches()) {
      throw new PodStartException(
          "CreateContainerConfigError",
          variable + " must be a lower-case SQL identifier, not '" + value + "'");
    }
    return value;
  }

  private static void createUserAndDatabase(
      LocalPostgres postgres, String user, String password, String database) throws SQLException {
    try (Connection c = postgres.connect();
        Statement s = c.createStatement()) {
      if (!exists(c, "select 1 from pg_roles where rolname = ?", user)) {
        // DDL takes no bind parameters: the password goes in as a quoted literal.
        s.execute("create role " + user + " login password '" + password.replace("'", "''") + "'");
      }
      if (!exists(c, "select 1 from pg_database where datname = ?", database)) {
        s.execute("create database " + database + " owner " + user);
      }
    }
  }

  private static boolean exists(Connection c, String query, String name) throws SQLException {
    try (PreparedStatement p = c.prepareStatement(query)) {
      p.setString(1, name);
      try (ResultSet r = p.executeQuery()) {
        return r.next();
      }
    }
  }

  /** Stopped with PostgreSQL's fast shutdown either way: its files survive as they would. */
  private static final class PostgresContainer implements LocalContainer {
    private final LocalPostgres postgres;
    private final TcpProxy proxy;
    private volatile Integer exitCode;

    PostgresContainer(LocalPostgres postgres, TcpProxy proxy) {
      this.postgres = postgres;
      this.proxy = proxy;
    }

    @Override
    public boolean alive() {
      return exitCode == null;
    }

    @Override
    public Integer exitCode() {
      return exitCode;
    }

    @Override
    public synchronized void terminate(Duration grace) {
      stop(0);
    }

    @Override
    public synchronized void kill() {
      stop(137);
    }

    private void stop(int code) {
      if (exitCode == null) {
        proxy.close();
        postgres.stop();
        exitCode = code;
      }
    }

    @Override
    public long pid() {
      return -1;
    }
  }
}
