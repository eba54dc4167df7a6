package io.sibus.perf;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code sibus perf}: measures send and receive rates and latencies of an engine, per reliability
 * level and number of producers. Without {@code --url} it starts its own engine on an embedded
 * PostgreSQL on this machine.
 */
@Command(
    name = "perf",
    mixinStandardHelpOptions = true,
    description = "Load generator and report: messages/s, send and end-to-end latency.")
public final class PerfCommand implements Callable<Integer> {
  @Option(names = "--url", split = ",", description = "Member URLs of the engine to measure.")
  List<String> urls = new ArrayList<>();

  @Option(names = "--destination", defaultValue = "perf")
  String destination;

  @Option(
      names = "--reliability",
      split = ",",
      defaultValue = "ASSURED_PERSISTENT",
      description = "Levels to measure, comma-separated.")
  List<String> levels;

  @Option(names = "--producers", split = ",", defaultValue = "16")
  List<Integer> producers;

  @Option(names = "--consumers", defaultValue = "4")
  int consumers;

  @Option(names = "--size", defaultValue = "1024", description = "Body size in bytes.")
  int size;

  @Option(names = "--duration", defaultValue = "10", description = "Seconds per run.")
  int seconds;

  @Option(
      names = "--rate",
      defaultValue = "0",
      description = "Total sends/s; 0 = as fast as it goes.")
  int rate;

  @Option(
      names = "--cross-engine",
      description = "Local run: send to one engine, the queue on another (a delivery stream).")
  boolean crossEngine;

  @Option(
      names = "--receive-url",
      split = ",",
      description = "Where consumers receive (default: --url).")
  List<String> receiveUrls = new ArrayList<>();

  @Option(
      names = "--warmup",
      defaultValue = "10",
      description =
          "At least this many seconds of unmeasured load first; it goes on until the JIT"
              + " compilers of the engine and of the load generator have settled (0: none).")
  int warmup;

  @Option(names = "--report", description = "Append the table (markdown) to this file.")
  Path report;

  @Option(
      names = "--compare",
      description =
          "Measure, on the local engine's PostgreSQL, sibus (assured persistent), ActiveMQ Artemis"
              + " with its JDBC store, and the bare database (commit per message, group commit)"
              + " with the same load, and print the ratios.")
  boolean compare;

  @Option(
      names = "--rounds",
      defaultValue = "1",
      description =
          "With --compare: measure every system this many times, each round in the reverse order"
              + " of the one before, and print the ratios of each round and of the rounds' mean"
              + " rates. Over an even number of rounds, a machine whose speed drifts steadily"
              + " during the comparison weighs on every system alike.")
  int rounds;

  @Option(
      names = "--engine-jvm-option",
      paramLabel = "OPT",
      description =
          "A JVM option for the local engine and the --failover members (repeatable), e.g."
              + " -XX:StartFlightRecording=filename=engine.jfr,settings=profile to profile it, or"
              + " -Dsibus.engine.writer-threads=4 to try a setting.")
  List<String> engineJvmOptions = new ArrayList<>();

  @Option(
      names = "--db-delay-us",
      defaultValue = "0",
      description =
          "Local run: the engine reaches its PostgreSQL through a relay that holds the traffic this"
              + " many microseconds each way, as if the database were a network hop away; with"
              + " --compare, so do the other systems.")
  int databaseDelayMicros;

  @Option(
      names = "--failover",
      description =
          "Measure standalone members on the local PostgreSQL instead: start to ACTIVE, the write"
              + " gap of kill -9 of the active member under load, idle memory. Fails (exit 1)"
              + " when a message is lost or duplicated.")
  boolean failover;

  @Option(
      names = "--kills",
      defaultValue = "10",
      description = "With --failover: how many times the active member is killed.")
  int kills;

  @Option(
      names = "--ack",
      defaultValue = "batch",
      description =
          "How sibus consumers acknowledge: batch (one request per receive) or each (a request per"
              + " message).")
  Acknowledgement ack;

  /** How sibus consumers acknowledge (picocli names the values in its error for others). */
  enum Acknowledgement {
    batch,
    each
  }

  @Override
  public Integer call() throws Exception {
    String refused = refusal();
    if (refused == null && !failover) {
      refused = compareRefusal();
    }
    if (refused != null) {
      System.err.println(refused);
      return 2;
    }
    if (failover) {
      return failover();
    }
    Path home = Path.of(System.getProperty("sibus.home", ".")).toAbsolutePath();
    LocalTarget local = urls.isEmpty() ? startLocal(home) : null;
    try {
      if (compare) {
        compare(local, home.resolve(".sibus/perf"));
      } else {
        measure(local);
      }
      return 0;
    } finally {
      if (local != null) {
        local.close();
      }
    }
  }

  /** What is wrong with the options given together (exit 2), or null. */
  private String refusal() {
    if (databaseDelayMicros != 0 && (databaseDelayMicros < 0 || failover || !urls.isEmpty())) {
      return "--db-delay-us delays the local engine's database by a positive number of"
          + " microseconds; leave out --failover and --url";
    }
    if (rounds < 1) {
      return "--rounds is how many times --compare measures each system: at least 1";
    }
    if (rounds > 1 && !compare) {
      return "--rounds measures each system of --compare more than once: give it with --compare";
    }
    try {
      urls.forEach(MemberConnection::check);
      receiveUrls.forEach(MemberConnection::check);
    } catch (IllegalArgumentException e) {
      return e.getMessage();
    }
    return null;
  }

  /** What {@code --compare} cannot be given with, or null. */
  private String compareRefusal() {
    if (compare && (!urls.isEmpty() || crossEngine)) {
      return "--compare measures the local engine beside the others on its PostgreSQL: leave out"
          + " --url and --cross-engine";
    }
    if (compare && !levels.equals(List.of(Comparison.RELIABILITY))) {
      return "--compare measures assured persistent messages, the durability of the others'"
          + " blocking durable sends: leave out --reliability";
    }
    return null;
  }

  /**
   * An engine of this machine, on an embedded PostgreSQL, which the run measures: {@code urls} and
   * {@code receiveUrls} now lead to it.
   */
  private LocalTarget startLocal(Path home) throws Exception {
    LocalTarget local =
        LocalTarget.start(
            home,
            home.resolve(".sibus/perf"),
            crossEngine,
            engineJvmOptions,
            Duration.ofNanos(databaseDelayMicros * 1000L));
    urls = List.of(local.url());
    receiveUrls = List.of(local.receiveUrl());
    System.out.println(
        "measuring a local engine at "
            + local.url()
            + " (embedded PostgreSQL: "
            + WalReserve.describe()
            + (databaseDelayMicros == 0
                ? ")"
                : ", " + databaseDelayMicros + " µs away each way through a relay)"));
    return local;
  }

  private void measure(LocalTarget local) throws Exception {
    List<String> receivers = receiveUrls.isEmpty() ? urls : receiveUrls;
    List<String> rows = new ArrayList<>();
    rows.add(ReportTable.HEADER);
    System.out.println(ReportTable.HEADER);
    int warmupSeconds = warmup;
    for (String level : levels) {
      try (SibusClients clients = clients(level, receivers)) {
        for (int producerCount : producers) {
          String row =
              measureOne(local, clients, spec(level, producerCount, seconds, rate), warmupSeconds);
          // The JIT has compiled the paths by now; later runs need only settle their own load.
          warmupSeconds = Math.min(warmup, WarmUp.NEXT_RUN_SECONDS);
          rows.add(row);
          System.out.println(row);
          clients.empty();
        }
      }
    }
    if (report != null) {
      String text =
          "\n### `sibus perf` "
              + LocalDate.now()
              + " — "
              + command()
              + "\n\n"
              + String.join("\n", rows)
              + "\n";
      Files.writeString(
          report,
          text,
          java.nio.file.StandardOpenOption.CREATE,
          java.nio.file.StandardOpenOption.APPEND);
    }
  }

  /**
   * One run: its load warmed up, then measured without a pause, with the engine's commits, CPU and
   * memory around the measured interval.
   */
  private String measureOne(
      LocalTarget local, SibusClients clients, Workload.Spec spec, int warmupSeconds)
      throws Exception {
    // A scrape before the load: the engine's first one costs it a second of class loading and
    // compiling, which must not fall inside the measured interval.
    EngineProbe.commits(urls.get(0));
    try (Workload load = new Workload(spec, clients).start()) {
      System.out.println(
          WarmUp.run(
              step -> load.measure(Duration.ofSeconds(step)),
              () -> EngineProbe.commits(urls.get(0)),
              warmupSeconds,
              local == null ? List.of() : local.pids()));
      EngineProbe.Commits before = EngineProbe.commits(urls.get(0));
      double cpuBefore = local == null ? -1 : EngineProbe.cpuSeconds(local.pid());
      // One engine's: with two, the busiest database process may be the other's.
      boolean oneEngine = local != null && local.pids().size() == 1;
      CoreWait.Sample waitBefore = oneEngine ? CoreWait.sample(local.pid()) : null;
      Workload.Result result = load.measure(spec.duration());
      EngineProbe.Commits after = EngineProbe.commits(urls.get(0));
      double coreWait =
          oneEngine
              ? CoreWait.perCommitMillis(
                  waitBefore,
                  CoreWait.sample(local.pid()),
                  after.transactions() - before.transactions())
              : Double.NaN;
      double cpu = local == null ? -1 : EngineProbe.cpuSeconds(local.pid()) - cpuBefore;
      double rss = local == null ? -1 : EngineProbe.rssMiB(local.pid());
      // Printed, not tabled: the moments to look up in the engine's and PostgreSQL's logs.
      result.stalls().forEach(stall -> System.err.println("  slow sends from " + stall));
      return ReportTable.row(result, before, after, coreWait, cpu, rss);
    }
  }

  private void compare(LocalTarget local, Path work) throws Exception {
    Comparison.Plan plan =
        new Comparison.Plan(
            producers, consumers, size, seconds, rate, warmup, ack == Acknowledgement.each, rounds);
    CompareTable table = new Comparison(plan).run(local, work);
    System.out.println();
    table.setup().forEach(line -> System.out.println("- " + line));
    System.out.println();
    System.out.println(table.measurements());
    System.out.println();
    System.out.println(table.ratios());
    if (report != null) {
      Path chart = CompareReport.append(report, table, command(), load());
      System.out.println("appended to " + report + "; chart " + chart);
    }
  }

  private int failover() throws Exception {
    if (!urls.isEmpty() || crossEngine || compare || kills < 1) {
      System.err.println(
          "--failover launches its own members: leave out --url, --cross-engine and --compare,"
              + " and give --kills of at least 1");
      return 2;
    }
    Path home = Path.of(System.getProperty("sibus.home", ".")).toAbsolutePath();
    MemberFigures figures;
    try (StandaloneMembers members =
        StandaloneMembers.start(home, home.resolve(".sibus/perf-failover"), engineJvmOptions)) {
      figures = new FailoverBench(members, kills, Duration.ofSeconds(warmup)).run();
    }
    List<String> setup = FailoverReport.setup(kills, warmup, engineJvmOptions);
    System.out.println();
    setup.forEach(line -> System.out.println("- " + line));
    System.out.println();
    System.out.println(FailoverReport.table(figures));
    System.out.println(FailoverReport.details(figures));
    if (report != null) {
      FailoverReport.append(report, command(), setup, figures);
      System.out.println("appended to " + report);
    }
    if (!figures.clean()) {
      System.err.println("messages were lost or duplicated: " + figures.ledger());
      return 1;
    }
    return 0;
  }

  private String load() {
    return consumers
        + " consumers (each waits "
        + MessagingSystem.CONSUMER_LINGER_MILLIS
        + " ms after a receive of less than "
        + SibusClients.RECEIVE_BATCH
        + "), "
        + size
        + "-byte bodies, "
        + seconds
        + " s per run after at least "
        + warmup
        + " s of warm-up, "
        + (rate > 0 ? rate + " sends/s" : "as fast as it goes");
  }

  private static String command() {
    return System.getProperty("sibus.args", "sibus perf");
  }

  private SibusClients clients(String level, List<String> receivers) {
    return new SibusClients(urls, receivers, destination, level, consumers)
        .oneRequestPerAcknowledgement(ack == Acknowledgement.each);
  }

  private Workload.Spec spec(String level, int producerCount, int runSeconds, int runRate) {
    return new Workload.Spec(
        destination,
        level,
        producerCount,
        consumers,
        size,
        Duration.ofSeconds(runSeconds),
        runRate);
  }

  public static void main(String[] args) {
    CommandLine line = new CommandLine(new PerfCommand());
    line.setParameterExceptionHandler(
        (e, a) -> {
          System.err.println(e.getMessage());
          return 2;
        });
    // A benchmark that cannot run (engine not built, a member that exited) says why in one line.
    line.setExecutionExceptionHandler(
        (e, l, parsed) -> {
          System.err.println("sibus perf: " + e.getMessage());
          return 1;
        });
    System.exit(line.execute(args));
  }
}
