package io.sibus.perf;

import io.sibus.local.LocalPostgres;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code sibus perf --compare}: the same load, one system after the other, on sibus (assured
 * persistent), on ActiveMQ Artemis with its JDBC store, and on the bare database (a commit per
 * message, and group commit), all on the local engine's PostgreSQL and on this machine.
 */
final class Comparison {
  /** The load every system gets. */
  record Plan(
      List<Integer> producers,
      int consumers,
      int size,
      int seconds,
      int rate,
      int warmup,
      boolean acknowledgeEach) {}

  private static final String DESTINATION = "perf"; // the queue LocalTarget creates
  static final String RELIABILITY = "ASSURED_PERSISTENT";
  private static final String LIMIT_DATABASE = "dblimit";

  private final Plan plan;
  private final List<CompareTable.Row> rows = new ArrayList<>();
  private final List<String> setup = new ArrayList<>();
  private final List<String> warmUps = new ArrayList<>();

  Comparison(Plan plan) {
    this.plan = plan;
  }

  /** Measures every system and returns the table. */
  CompareTable run(LocalTarget local, Path work) throws Exception {
    try (SibusClients sibus =
        new SibusClients(
            List.of(local.url()),
            List.of(local.receiveUrl()),
            DESTINATION,
            RELIABILITY,
            plan.consumers())) {
      sibus.oneRequestPerAcknowledgement(plan.acknowledgeEach());
      setup.add(
          "sibus: one engine member (its own JVM), queue `perf`, assured persistent, each producer"
              + " and consumer on a kept-alive HTTP/1.1 connection of its own (httpcore) to"
              + " 127.0.0.1, "
              + (plan.acknowledgeEach()
                  ? "one acknowledgement request per message, from 16 acknowledging threads with"
                      + " connections of their own"
                  : "one acknowledgement request per received batch (≤ "
                      + SibusClients.RECEIVE_BATCH
                      + ")")
              + "; a consumer that received less than its batch waits "
              + MessagingSystem.CONSUMER_LINGER_MILLIS
              + " ms before the next receive");
      measure("sibus", sibus, local.pids());
    }
    measureArtemis(local.postgres(), local.databasePort(), work);
    measureDatabase(local.postgres(), local.databasePort());
    if (!local.databaseDelay().isZero()) {
      setup.add(
          "every system reaches PostgreSQL through one relay on this machine that holds its"
              + " traffic "
              + local.databaseDelay().toNanos() / 1000
              + " µs each way, as if the database were a network hop away (--db-delay-us); the"
              + " relay's own threads run on this machine's cores, so a system with more"
              + " connections or round trips pays their CPU too, which a real network would not"
              + " charge it");
    }
    // How long each system was warmed up belongs beside its figures: it varies with the JIT.
    setup.add("warm-up of each run, under that run's own load: " + String.join("; ", warmUps));
    return new CompareTable(rows, setup);
  }

  private void measureArtemis(LocalPostgres postgres, int databasePort, Path work) {
    try (ArtemisTarget artemis = ArtemisTarget.start(postgres, databasePort, work)) {
      setup.add(
          "ActiveMQ Artemis "
              + artemis.version()
              + " embedded in the benchmark's JVM: JDBC store in the database `artemis` of the"
              + " same PostgreSQL (journal sync period "
              + artemis.journalSyncMillis()
              + " ms, the default), core client over netty on 127.0.0.1, blocking durable sends,"
              + " acknowledgements committed per received batch (≤ 50)");
      measure("Artemis " + artemis.version() + " JDBC", artemis, List.of());
    } catch (Exception e) {
      // The other systems are still worth measuring; the report says why this one is missing.
      setup.add("ActiveMQ Artemis: not measured, " + e);
      System.out.println("Artemis: not measured, " + e);
    }
  }

  private void measureDatabase(LocalPostgres postgres, int databasePort) throws Exception {
    String url = BenchmarkSql.createDatabase(postgres, LIMIT_DATABASE, databasePort);
    try (Connection c = DriverManager.getConnection(url, LocalPostgres.USER, "")) {
      BenchmarkSql.createQueue(c);
      setup.add(
          "PostgreSQL "
              + BenchmarkSql.serverVersion(c)
              + " (embedded, fsync and synchronous_commit on; "
              + WalReserve.describe()
              + "), database `"
              + LIMIT_DATABASE
              + "`, one table `queue (id bigserial, body bytea)`: commit per message (insert;"
              + " delete … for update skip locked limit 1), and group commit ("
              + GroupCommitter.COMMITTERS
              + " committer connections inserting batches of the waiting producers' rows;"
              + " consumers delete ≤ "
              + DatabaseLimit.Batching.GROUP_COMMIT.takePerCommit
              + " rows per commit); in both, the queue is vacuumed as the engine vacuums its"
              + " own (once it holds "
              + QueueUpkeep.DEAD_ROWS
              + " dead rows, checked every second), and a consumer that took less than"
              + " its batch waits "
              + MessagingSystem.CONSUMER_LINGER_MILLIS
              + " ms before the next take");
    }
    for (DatabaseLimit.Batching batching : DatabaseLimit.Batching.values()) {
      try (DatabaseLimit limit = DatabaseLimit.open(url, batching)) {
        measure(limit.label(), limit, List.of());
      }
    }
  }

  private void measure(String system, MessagingSystem target, List<Long> pids) throws Exception {
    int warmupSeconds = plan.warmup();
    for (int producers : plan.producers()) {
      try (Workload load = new Workload(spec(producers), target).start()) {
        String done =
            WarmUp.run(
                step -> load.measure(Duration.ofSeconds(step)), () -> {}, warmupSeconds, pids);
        System.out.println(system + ", " + producers + " producers: " + done);
        warmUps.add(system + ", " + producers + " producers: " + done);
        CompareTable.Row row =
            new CompareTable.Row(system, load.measure(Duration.ofSeconds(plan.seconds())));
        rows.add(row);
        System.out.println(CompareTable.line(row));
      }
      target.empty();
      warmupSeconds = Math.min(plan.warmup(), WarmUp.NEXT_RUN_SECONDS);
    }
  }

  private Workload.Spec spec(int producers) {
    return new Workload.Spec(
        DESTINATION,
        RELIABILITY,
        producers,
        plan.consumers(),
        plan.size(),
        Duration.ofSeconds(plan.seconds()),
        plan.rate());
  }
}
