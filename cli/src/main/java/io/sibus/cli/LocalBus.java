package io.sibus.cli;

import io.sibus.local.LocalPostgres;
import io.sibus.local.MemberProcess;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The processes of the sample bus that {@code sibus up} runs on this machine: an embedded
 * PostgreSQL and the members of engine {@link #ENGINE}. {@link #stop()} may be called from a
 * shutdown hook at any moment, also while {@link #start} is still launching: whatever was started
 * is stopped and nothing is started afterwards.
 */
final class LocalBus {
  static final String BUS = "demo";
  static final String ENGINE = "me1";
  static final String QUEUE = "orders";
  static final int MEMBERS = 2;

  /** How long a member has to shut down cleanly after SIGTERM before it is killed. */
  private static final Duration STOP_GRACE = Duration.ofSeconds(10);

  private final Path work;
  private final Path engineJar;
  private final List<MemberProcess> members = new ArrayList<>();
  private LocalPostgres postgres;
  private Path configFile;
  private boolean stopped;

  LocalBus(Path work, Path engineJar) {
    this.work = work;
    this.engineJar = engineJar;
  }

  /** Starts PostgreSQL, writes the bus config file and launches the members. */
  synchronized void start(PrintWriter progress) {
    if (stopped) {
      return;
    }
    for (long pid : LeftoverMembers.stopAll(membersWork())) {
      progress.println("stopped member process " + pid + ", left behind by an earlier run");
    }
    for (long pid : LeftoverPostgres.stopAll(pgWork())) {
      progress.println("stopped PostgreSQL process " + pid + ", left behind by an earlier run");
    }
    progress.println("starting PostgreSQL (data under " + pgWork() + ")");
    postgres = LocalPostgres.start(pgWork());
    List<MemberProcess.Spec> specs = new ArrayList<>();
    List<String> urls = new ArrayList<>();
    for (int i = 0; i < MEMBERS; i++) {
      MemberProcess.Spec spec = memberSpec(ENGINE + "-" + i);
      // The ports are fixed before launch because every member's URL goes into the config file.
      urls.add("http://127.0.0.1:" + spec.portOrChoose());
      specs.add(spec);
    }
    configFile = new BusConfigFile(BUS, ENGINE, urls, QUEUE).writeTo(work.resolve("bus.yaml"));
    for (MemberProcess.Spec spec : specs) {
      progress.println("starting member " + spec.member() + " of engine " + ENGINE);
      members.add(
          MemberProcess.launch(spec.property("sibus.bus.config-file", configFile.toString())));
    }
    progress.flush();
  }

  private MemberProcess.Spec memberSpec(String name) {
    return new MemberProcess.Spec(engineJar, name)
        .workDirectory(membersWork())
        .jvmOption("-Xmx256m")
        .property("sibus.bus.name", BUS)
        .property("sibus.engine.name", ENGINE)
        .property("quarkus.datasource.jdbc.url", postgres.jdbcUrl())
        .property("quarkus.datasource.username", LocalPostgres.USER);
  }

  /** Stops the members (SIGTERM, then SIGKILL after a grace period) and then PostgreSQL. */
  synchronized void stop() {
    if (stopped) {
      return;
    }
    stopped = true;
    // In parallel: each member may use its whole grace period.
    members.parallelStream().forEach(member -> member.terminate(STOP_GRACE));
    try {
      if (postgres != null) {
        postgres.stop();
      }
    } finally {
      // Removes the data directory of this run (a new run never reuses it), and stops a server
      // whose handle was lost to a signal during start-up.
      LeftoverPostgres.stopAll(pgWork());
    }
  }

  private Path membersWork() {
    return work.resolve("members");
  }

  private Path pgWork() {
    return work.resolve("pg");
  }

  synchronized boolean stopped() {
    return stopped;
  }

  synchronized List<MemberProcess> members() {
    return List.copyOf(members);
  }

  synchronized String jdbcUrl() {
    return postgres == null ? null : postgres.jdbcUrl();
  }

  synchronized Path configFile() {
    return configFile;
  }

  Path work() {
    return work;
  }
}
