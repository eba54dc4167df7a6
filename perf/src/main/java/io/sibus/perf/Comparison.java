package io.sibus.perf;

import io.sibus.local.LocalPostgres;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * {@code sibus perf --compare}: the same load, one system after the other, on sibus (assured
 * persistent), on ActiveMQ Artemis with its JDBC store, and on the bare database (a commit per
 * message, and group commit), all on the local engine's PostgreSQL and on this machine.
 */
final class Comparison {
  /** The load every system gets, and how many times each system is measured. */
  record Plan(
      List<Integer> producers,
      int consumers,
      int size,
      int seconds,
      int rate,
      int warmup,
      boolean acknowledgeEach,
      int rounds) {}

  /**
   * One system of the comparison, opened for each of its runs and closed after it. An optional one
   * that fails is reported and left out; the comparison goes on without it.
   */
  private record Contender(String what, Opening opening, List<Long> pids, boolean optional) {}

  @FunctionalInterface
  private interface Opening {
    MessagingSystem open() throws Exception;
  }

  private static final String DESTINATION = "perf"; // the queue LocalTarget creates
  static final String RELIABILITY = "ASSURED_PERSISTENT";
  private static final String LIMIT_DATABASE = "dblimit";

  private final Plan plan;
  private final List<CompareTable.Row> rows = new ArrayList<>();
  // Lines added as systems open, once however many rounds open them.
  private final Set<String> setup = new LinkedHashSet<>();
  private final List<String> warmUps = new ArrayList<>();
  // The systems that opened once (by Contender.what), and so had their full warm-up.
  private final Set<String> warmed = new HashSet<>();

  Comparison(Plan plan) {
    this.plan = plan;
  }

  /**
   * Measures every system, round after round ({@link #inTurn}), and returns the table. A system
   * whose first run fails to start (Artemis) is reported and left out of that round.
   */
  CompareTable run(LocalTarget local, Path work) throws Exception {
    List<Contender> contenders = contenders(local, work);
    for (int round = 1; round <= plan.rounds(); round++) {
      for (Contender contender : inTurn(contenders, round)) {
        measure(round, contender);
      }
    }
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
    if (plan.rounds() > 1) {
      setup.add(
          plan.rounds()
              + " rounds, each in the reverse order of the one before (over an even number of"
              + " rounds, each system's runs are centred on the same moment, so that a machine"
              + " that speeds up or slows down steadily weighs on every system alike); a ratio of"
              + " the mean rates divides sibus's mean over the rounds in which both systems were"
              + " measured by the other system's");
    }
    // How long each system was warmed up belongs beside its figures: it varies with the JIT.
    setup.add("warm-up of each run, under that run's own load: " + String.join("; ", warmUps));
    return new CompareTable(rows, List.copyOf(setup));
  }

  /**
   * The systems in the order of the first round; each later round reverses the one before it, so
   * that over two rounds each system's runs are centred on the same moment.
   */
  static <T> List<T> inTurn(List<T> systems, int round) {
    List<T> order = new ArrayList<>(systems);
    if (round % 2 == 0) {
      Collections.reverse(order);
    }
    return order;
  }

  private List<Contender> contenders(LocalTarget local, Path work) throws Exception {
    LimitDatabase limitDatabase = limitDatabase(local.postgres(), local.databasePort());
    List<Contender> contenders = new ArrayList<>();
    contenders.add(new Contender("sibus", () -> sibus(local), local.pids(), false));
    contenders.add(new Contender("ActiveMQ Artemis", () -> artemis(local, work), List.of(), true));
    for (DatabaseLimit.Batching batching : DatabaseLimit.Batching.values()) {
      contenders.add(
          new Contender(batching.label, () -> limitDatabase.open(batching), List.of(), false));
    }
    return contenders;
  }

  private SibusClients sibus(LocalTarget local) {
    SibusClients sibus =
        new SibusClients(
            List.of(local.url()),
            List.of(local.receiveUrl()),
            DESTINATION,
            RELIABILITY,
            plan.consumers());
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
    return sibus;
  }

  /**
   * Starts Artemis on a new database of its own, in every round as in the first: restarted on the
   * database of the round before, it sent 524 messages/s in one round of a comparison
   * (docs/benchmarks.md, run 63) against 1,718–2,041 in the others, and sibus's ratio to it said
   * nothing.
   */
  private ArtemisTarget artemis(LocalTarget local, Path work) throws Exception {
    String database =
        BenchmarkSql.recreateDatabase(
            local.postgres(), ArtemisTarget.DATABASE, local.databasePort());
    ArtemisTarget artemis = ArtemisTarget.start(database, work);
    try {
      setup.add(
          "ActiveMQ Artemis "
              + artemis.version()
              + " embedded in the benchmark's JVM"
              + (plan.rounds() > 1 ? " (started afresh, on a new database, in each round)" : "")
              + ": JDBC store in the database `"
              + ArtemisTarget.DATABASE
              + "` of the same PostgreSQL (journal sync period "
              + artemis.journalSyncMillis()
              + " ms, the default), core client over netty on 127.0.0.1, blocking durable sends,"
              + " acknowledgements committed per received batch (≤ 50)");
      return artemis;
    } catch (RuntimeException e) {
      artemis.close();
      throw e;
    }
  }

  /** The database limit's database, and the report's line about it. */
  private final class LimitDatabase {
    private final String url;
    private final String description;

    LimitDatabase(String url, String description) {
      this.url = url;
      this.description = description;
    }

    DatabaseLimit open(DatabaseLimit.Batching batching) throws Exception {
      setup.add(description);
      return DatabaseLimit.open(url, batching);
    }
  }

  private LimitDatabase limitDatabase(LocalPostgres postgres, int databasePort) throws Exception {
    String url = BenchmarkSql.createDatabase(postgres, LIMIT_DATABASE, databasePort);
    try (Connection c = DriverManager.getConnection(url, LocalPostgres.USER, "")) {
      BenchmarkSql.createQueue(c);
      return new LimitDatabase(
          url,
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
  }

  /** Measures {@code contender} in {@code round}, or reports why not if it is optional. */
  private void measure(int round, Contender contender) throws Exception {
    try (MessagingSystem target = contender.opening().open()) {
      // A system's first runs warm up the JIT as well; the later ones need only settle their load.
      boolean first = warmed.add(contender.what());
      measure(round, target, contender.pids(), first ? plan.warmup() : nextWarmup());
    } catch (Exception e) {
      if (!contender.optional()) {
        throw e;
      }
      // The other systems are still worth measuring; the report says why this one is missing.
      String missing =
          contender.what()
              + ": not measured"
              + (plan.rounds() > 1 ? " in round " + round : "")
              + ", "
              + e;
      setup.add(missing);
      System.out.println(missing);
    }
  }

  /** One run of {@code target} per producer count, the first after {@code firstWarmup} s. */
  private void measure(int round, MessagingSystem target, List<Long> pids, int firstWarmup)
      throws Exception {
    int warmupSeconds = firstWarmup;
    for (int producers : plan.producers()) {
      String run =
          target.name()
              + (plan.rounds() > 1 ? ", round " + round : "")
              + ", "
              + producers
              + " producers";
      try (Workload load = new Workload(spec(producers), target).start()) {
        String done =
            WarmUp.run(
                step -> load.measure(Duration.ofSeconds(step)), () -> {}, warmupSeconds, pids);
        System.out.println(run + ": " + done);
        warmUps.add(run + ": " + done);
        CompareTable.Row row =
            new CompareTable.Row(
                target.name(), round, load.measure(Duration.ofSeconds(plan.seconds())));
        rows.add(row);
        System.out.println(CompareTable.line(row, plan.rounds() > 1));
      }
      target.empty();
      warmupSeconds = nextWarmup();
    }
  }

  private int nextWarmup() {
    return Math.min(plan.warmup(), WarmUp.NEXT_RUN_SECONDS);
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
