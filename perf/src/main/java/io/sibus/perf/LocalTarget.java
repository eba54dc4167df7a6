package io.sibus.perf;

import io.sibus.local.LocalPostgres;
import io.sibus.local.MemberProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * An engine to measure when none is given: an embedded PostgreSQL (fsync and synchronous commit on)
 * and one engine member process with a queue {@code perf}, on this machine.
 */
final class LocalTarget implements AutoCloseable {
  private final LocalPostgres postgres;
  private final MemberProcess member;
  private final MemberProcess receiver;
  private final DelayRelay relay;

  private LocalTarget(
      LocalPostgres postgres, MemberProcess member, MemberProcess receiver, DelayRelay relay) {
    this.postgres = postgres;
    this.member = member;
    this.receiver = receiver;
    this.relay = relay;
  }

  /**
   * Starts PostgreSQL and one engine {@code perf} with the queue {@code perf}; with {@code
   * crossEngine}, a second engine {@code perf2} holds the queue and the first forwards to it. With
   * a {@code databaseDelay}, the engines reach PostgreSQL through a relay that holds their traffic
   * that long each way.
   */
  static LocalTarget start(
      Path home, Path work, boolean crossEngine, List<String> jvmOptions, Duration databaseDelay)
      throws IOException, InterruptedException {
    Path jar = engineJar(home);
    Files.createDirectories(work);
    LocalPostgres postgres = LocalPostgres.start(work.resolve("pg"));
    DelayRelay relay;
    try {
      WalReserve.prepare(postgres);
      relay = databaseDelay.isZero() ? null : DelayRelay.start(postgres.port(), databaseDelay);
    } catch (java.sql.SQLException e) {
      postgres.close();
      throw new IOException("could not prepare the benchmark's PostgreSQL: " + e.getMessage(), e);
    } catch (IOException | InterruptedException e) {
      postgres.close();
      throw e;
    }
    String jdbcUrl =
        relay == null
            ? postgres.jdbcUrl()
            : postgres.jdbcUrl().replace(":" + postgres.port() + "/", ":" + relay.port() + "/");
    int port1 = freePort();
    int port2 = freePort();
    Path busFile = writeBusFile(work, port1, port2, crossEngine);
    MemberProcess member = launch(jar, work, "perf", port1, busFile, postgres, jdbcUrl, jvmOptions);
    MemberProcess receiver =
        crossEngine
            ? launch(jar, work, "perf2", port2, busFile, postgres, jdbcUrl, jvmOptions)
            : null;
    LocalTarget target = new LocalTarget(postgres, member, receiver, relay);
    for (MemberProcess m :
        receiver == null ? java.util.List.of(member) : java.util.List.of(member, receiver)) {
      try {
        m.awaitState("ACTIVE", Duration.ofSeconds(90), Duration.ofMillis(100));
      } catch (IllegalStateException e) {
        target.close();
        throw e;
      }
    }
    return target;
  }

  /**
   * The bus file of the run: engines {@code perf} and {@code perf2}, and the queue {@code perf} on
   * the second with {@code crossEngine}, else on the first.
   */
  private static Path writeBusFile(Path work, int port1, int port2, boolean crossEngine)
      throws IOException {
    Path busFile = work.resolve("bus.yaml");
    Files.writeString(
        busFile,
        "bus: perf\nsecret: perf-secret\nengines:\n  - {name: perf, urls: [\"http://127.0.0.1:"
            + port1
            + "\"]}\n  - {name: perf2, urls: [\"http://127.0.0.1:"
            + port2
            + "\"]}\n"
            + "destinations: [{name: perf, localizedOn: "
            + (crossEngine ? "perf2" : "perf")
            + "}]\n");
    return busFile;
  }

  /** The packaged engine the benchmark launches. */
  static Path engineJar(Path home) {
    Path jar = home.resolve("engine-service/target/quarkus-app/quarkus-run.jar");
    if (!Files.exists(jar)) {
      throw new IllegalStateException(
          "the engine is not built: run ./mvnw -DskipTests -pl engine-service -am package");
    }
    return jar;
  }

  /**
   * The settings of every member the benchmark launches (bus {@code perf}), so that all modes
   * measure members with the same heap and the same {@code --engine-jvm-option}s.
   */
  static MemberProcess.Spec memberSpec(
      Path jar,
      Path work,
      String engine,
      String member,
      Path busFile,
      LocalPostgres postgres,
      List<String> jvmOptions) {
    MemberProcess.Spec spec =
        new MemberProcess.Spec(jar, member)
            .workDirectory(work)
            .jvmOption("-Xmx512m")
            .property("sibus.bus.name", "perf")
            .property("sibus.engine.name", engine)
            .property("sibus.bus.config-file", busFile.toString())
            .property("quarkus.datasource.jdbc.url", postgres.jdbcUrl())
            .property("quarkus.datasource.username", LocalPostgres.USER);
    jvmOptions.forEach(spec::jvmOption); // a flight recording, or a setting to try
    return spec;
  }

  private static MemberProcess launch(
      Path jar,
      Path work,
      String engine,
      int port,
      Path busFile,
      LocalPostgres postgres,
      String jdbcUrl,
      List<String> jvmOptions) {
    return MemberProcess.launch(
        memberSpec(jar, work, engine, engine + "-0", busFile, postgres, jvmOptions)
            .property("quarkus.datasource.jdbc.url", jdbcUrl)
            .port(port));
  }

  private static int freePort() throws IOException {
    try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  /** Where consumers receive: the engine that holds the queue. */
  String receiveUrl() {
    return receiver == null ? member.url() : receiver.url();
  }

  String url() {
    return member.url();
  }

  long pid() {
    return member.pid();
  }

  /** The engine processes (one, or two with a cross-engine run). */
  List<Long> pids() {
    return receiver == null ? List.of(member.pid()) : List.of(member.pid(), receiver.pid());
  }

  /** The engine's PostgreSQL; {@code --compare} puts the other systems' databases beside it. */
  LocalPostgres postgres() {
    return postgres;
  }

  /**
   * The port on which the engines reach PostgreSQL: the relay's under a {@code --db-delay-us}, so
   * that {@code --compare}'s other systems can reach it with the same delay.
   */
  int databasePort() {
    return relay == null ? postgres.port() : relay.port();
  }

  /** How long the relay holds the database's traffic each way (zero without one). */
  Duration databaseDelay() {
    return relay == null ? Duration.ZERO : relay.delay();
  }

  @Override
  public void close() {
    member.terminate(Duration.ofSeconds(10));
    if (receiver != null) {
      receiver.terminate(Duration.ofSeconds(10));
    }
    if (relay != null) {
      try {
        relay.close();
      } catch (IOException ignored) {
        // The relay's threads are daemons: they end with the benchmark.
      }
    }
    postgres.close();
  }
}
