package io.sibus.datastore;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;
import java.util.Properties;

/**
 * The member's dedicated database session for exclusive access. It holds a session advisory lock
 * keyed by the engine UUID: PostgreSQL releases it the moment the session ends, so when a member is
 * killed (kill -9) the next member can take the store within a poll interval. Short server-side TCP
 * keepalives catch a vanished peer; the heartbeat row catches a hung one.
 */
public final class LockSession implements AutoCloseable {
  private final Connection connection;
  private final long key;
  private final StoreSql sql;
  private boolean held;

  private LockSession(Connection connection, long key, StoreSql sql) {
    this.connection = connection;
    this.key = key;
    this.sql = sql;
  }

  /** Opens the session; fails when the database cannot be reached. */
  public static LockSession open(
      String jdbcUrl,
      String user,
      String password,
      SchemaName schema,
      EngineIdentity identity,
      String applicationName)
      throws SQLException {
    Properties props = new Properties();
    if (user != null) {
      props.setProperty("user", user);
    }
    if (password != null) {
      props.setProperty("password", password);
    }
    props.setProperty("ApplicationName", applicationName);
    props.setProperty("tcpKeepAlive", "true");
    props.setProperty("connectTimeout", "5");
    props.setProperty("socketTimeout", "30");
    Connection connection = DriverManager.getConnection(jdbcUrl, props);
    try (PreparedStatement ps = connection.prepareStatement(StoreSql.SESSION_KEEPALIVES)) {
      ps.executeQuery().close();
    } catch (SQLException e) {
      connection.close();
      throw e;
    }
    return new LockSession(connection, identity.lockKey(), new StoreSql(schema));
  }

  /** The session's connection, for the activation transaction that follows the lock. */
  public Connection connection() {
    return connection;
  }

  /** Tries once to take the lock; true when this session holds it (now or already). */
  public boolean tryLock() throws SQLException {
    if (held) {
      return true;
    }
    try (PreparedStatement ps = connection.prepareStatement(StoreSql.TRY_LOCK)) {
      ps.setLong(1, key);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        held = rs.getBoolean(1);
      }
    }
    return held;
  }

  /** Gives the lock back but keeps the session (a standby that may not activate now). */
  public void unlock() throws SQLException {
    if (!held) {
      return;
    }
    try (PreparedStatement ps = connection.prepareStatement(StoreSql.UNLOCK)) {
      ps.setLong(1, key);
      ps.executeQuery().close();
    }
    held = false;
  }

  public boolean held() {
    return held;
  }

  /** Writes the heartbeat of the holder; a failure means the session (and the lock) is gone. */
  public void heartbeat(String member) throws SQLException {
    try (PreparedStatement ps = connection.prepareStatement(sql.upsertLease)) {
      ps.setString(1, member);
      ps.executeUpdate();
    }
  }

  /** Checks that the session is alive (used while the lock is not held). */
  public void ping() throws SQLException {
    try (PreparedStatement ps = connection.prepareStatement(StoreSql.PING)) {
      ps.executeQuery().close();
    }
  }

  /**
   * When the lock holder's heartbeat is older than {@code staleMillis}, it is hung: its session is
   * terminated so the lock is released. Only the backend that really holds the advisory lock is
   * ever terminated. Returns the holder that was removed.
   */
  public Optional<String> evictHungHolder(long staleMillis) throws SQLException {
    String holder;
    int pid;
    long age;
    try (PreparedStatement ps = connection.prepareStatement(sql.readLease);
        ResultSet rs = ps.executeQuery()) {
      if (!rs.next()) {
        return Optional.empty();
      }
      holder = rs.getString(1);
      pid = rs.getInt(2);
      age = rs.getLong(3);
    }
    if (age <= staleMillis || !holdsLock(pid)) {
      return Optional.empty();
    }
    try (PreparedStatement ps = connection.prepareStatement(StoreSql.TERMINATE)) {
      ps.setInt(1, pid);
      ps.executeQuery().close();
    }
    return Optional.of(holder + " (heartbeat " + age + " ms old)");
  }

  private boolean holdsLock(int pid) throws SQLException {
    try (PreparedStatement ps = connection.prepareStatement(StoreSql.LOCK_HOLDER)) {
      ps.setLong(1, key >>> 32);
      ps.setLong(2, key & 0xFFFFFFFFL);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          if (rs.getInt(1) == pid) {
            return true;
          }
        }
      }
    }
    return false;
  }

  /** Releases the lock (when held) and closes the session. */
  @Override
  public void close() {
    try {
      if (held && !connection.isClosed()) {
        try (PreparedStatement ps = connection.prepareStatement(StoreSql.UNLOCK)) {
          ps.setLong(1, key);
          ps.executeQuery().close();
        }
      }
    } catch (SQLException ignored) {
      // The session is going away; PostgreSQL releases the lock with it.
    } finally {
      held = false;
      try {
        connection.close();
      } catch (SQLException ignored) {
        // Nothing left to release.
      }
    }
  }
}
