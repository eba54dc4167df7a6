package io.sibus.perf;

import io.sibus.local.EngineClient;
import io.sibus.local.LocalPostgres;
import io.sibus.local.MemberProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * One engine {@code perf} of standalone members on this machine: an embedded PostgreSQL with a
 * fresh data directory (so that the first member finds an empty store) and member processes
 * launched on demand, which pick their active member by the data store's election.
 */
final class StandaloneMembers implements AutoCloseable {
  static final String ENGINE = "perf";
  static final String DESTINATION = "perf";

  /** How often a waiting caller asks a member for its state. */
  private static final Duration POLL = Duration.ofMillis(20);

  private final Path jar;
  private final Path work;
  private final Path busFile;
  private final LocalPostgres postgres;
  private final List<String> jvmOptions;
  private final List<MemberProcess> launched = new ArrayList<>();

  /** A member process and when it was launched ({@link System#nanoTime()}). */
  record Launch(MemberProcess process, long launchedAt) {}

  private StandaloneMembers(
      Path jar, Path work, Path busFile, LocalPostgres postgres, List<String> jvmOptions) {
    this.jar = jar;
    this.work = work;
    this.busFile = busFile;
    this.postgres = postgres;
    this.jvmOptions = jvmOptions;
  }

  static StandaloneMembers start(Path home, Path work, List<String> jvmOptions) throws IOException {
    Path jar = LocalTarget.engineJar(home);
    Path members = work.resolve("members");
    Files.createDirectories(members);
    deleteOldLogs(members);
    Path busFile = work.resolve("bus.yaml");
    // No member URLs in the bus file: clients follow the active URL the members publish.
    Files.writeString(
        busFile,
        "bus: perf\nengines:\n  - {name: "
            + ENGINE
            + "}\ndestinations: [{name: "
            + DESTINATION
            + ", localizedOn: "
            + ENGINE
            + "}]\n");
    LocalPostgres postgres = LocalPostgres.start(work.resolve("pg"));
    readyClient();
    return new StandaloneMembers(jar, members, busFile, postgres, jvmOptions);
  }

  /**
   * Runs this JVM's first HTTP request before any member is launched and timed: loading the
   * client's classes and its TLS defaults took about 1 s of CPU here, on a core that the first
   * member's start would otherwise share with it. Nothing listens on port 1.
   */
  private static void readyClient() {
    try {
      new EngineClient("http://127.0.0.1:1").engine();
    } catch (IOException expected) {
      // refused, as intended
    }
  }

  /** Launches member {@code name} now, on a free port. */
  Launch launch(String name) {
    MemberProcess.Spec spec =
        LocalTarget.memberSpec(jar, work, ENGINE, name, busFile, postgres, jvmOptions)
            // Explicit, so that a KUBERNETES_SERVICE_HOST in the environment does not turn these
            // standalone members into Lease candidates.
            .property("sibus.engine.election", "datastore");
    long launchedAt = System.nanoTime();
    MemberProcess process = MemberProcess.launch(spec);
    launched.add(process);
    return new Launch(process, launchedAt);
  }

  /**
   * Polls {@code member} every 20 ms until it reports {@code state}; returns the milliseconds from
   * {@code since} ({@link System#nanoTime()}) to the answer that reported it.
   */
  long awaitState(MemberProcess member, String state, long since, Duration timeout)
      throws InterruptedException {
    member.awaitState(state, timeout, POLL);
    return (System.nanoTime() - since) / 1_000_000;
  }

  @Override
  public void close() {
    for (MemberProcess m : launched) {
      if (m.alive()) {
        m.terminate(Duration.ofSeconds(10));
      }
    }
    postgres.close();
  }

  /** Member logs are appended to: a new run starts from empty ones (the directory is flat). */
  private static void deleteOldLogs(Path directory) throws IOException {
    try (Stream<Path> files = Files.list(directory)) {
      for (Path file : files.toList()) {
        Files.delete(file);
      }
    }
  }
}
