package io.sibus.perf;

import static org.assertj.core.api.Assertions.assertThat;

import io.sibus.local.LocalPostgres;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The databases of {@code --compare}'s other systems are reached on the port the engine reaches its
 * own on: under {@code --db-delay-us}, the relay's, so that every system is measured a network hop
 * away from its data, not sibus alone.
 */
@Timeout(120)
class BenchmarkSqlIT {
  private static final Duration ONE_WAY = Duration.ofMillis(25);

  @TempDir Path work;

  @Test
  void aNewDatabaseIsReachedThroughThePortGiven() throws Exception {
    try (LocalPostgres postgres = LocalPostgres.start(work.resolve("pg"));
        DelayRelay relay = DelayRelay.start(postgres.port(), ONE_WAY)) {
      String direct = BenchmarkSql.createDatabase(postgres, "direct", postgres.port());
      String delayed = BenchmarkSql.createDatabase(postgres, "delayed", relay.port());

      roundTrip(direct, "direct");
      assertThat(roundTrip(delayed, "delayed")).isGreaterThanOrEqualTo(ONE_WAY.multipliedBy(2));
    }
  }

  @Test
  void aRecreatedDatabaseKeepsNothingOfTheOneBefore() throws Exception {
    try (LocalPostgres postgres = LocalPostgres.start(work.resolve("pg"))) {
      String url = BenchmarkSql.createDatabase(postgres, "again", postgres.port());
      try (Connection left = DriverManager.getConnection(url, LocalPostgres.USER, "");
          Statement s = left.createStatement()) {
        s.execute("CREATE TABLE leftover (id int)");
        // still connected: the database is recreated all the same
        assertThat(BenchmarkSql.recreateDatabase(postgres, "again", postgres.port()))
            .isEqualTo(url);
      }
      try (Connection c = DriverManager.getConnection(url, LocalPostgres.USER, "");
          Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("SELECT to_regclass('leftover') IS NULL")) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getBoolean(1)).isTrue();
      }
    }
  }

  /** The time of one query on a new connection to {@code url}, which must be {@code database}. */
  private static Duration roundTrip(String url, String database) throws Exception {
    try (Connection c = DriverManager.getConnection(url, LocalPostgres.USER, "");
        Statement s = c.createStatement()) {
      long start = System.nanoTime();
      try (ResultSet rs = s.executeQuery("SELECT current_database()")) {
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertThat(rs.next()).isTrue();
        assertThat(rs.getString(1)).isEqualTo(database);
        return took;
      }
    }
  }
}
