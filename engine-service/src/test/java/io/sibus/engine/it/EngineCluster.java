package io.sibus.engine.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sibus.local.EngineClient;
import io.sibus.local.LoadRunner;
import io.sibus.local.LocalPostgres;
import io.sibus.local.MemberProcess;
import io.sibus.local.MemberSetClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real PostgreSQL and the members of engines as real processes, for the engine's integration
 * tests. Members are launched from the packaged engine (failsafe runs after {@code package}).
 */
final class EngineCluster implements AutoCloseable {
  private static final int FIRST_PORT = 20_000;
  private static final int PORTS = 12_000;

  /** Where this JVM's next port is looked for: a random start, so that two JVMs seldom meet. */
  private static final AtomicInteger nextPort =
      new AtomicInteger(ThreadLocalRandom.current().nextInt(PORTS));

  static final String BUS = "itbus";

  private final Path work;
  private final LocalPostgres postgres;

  /** The launch overrides that let a member take test faults ({@link #injectFault}). */
  static final Map<String, String> FAULTS_ON = Map.of("sibus.engine.test-faults", "true");

  /** The bus file of a new cluster, and of each test after a reset. */
  private static final String DEFAULT_BUS =
      """
      bus: itbus
      engines:
        - name: me1
        - name: me2
      destinations:
        - name: orders
          localizedOn: me1
          maxRedeliveries: 2
        - name: events
          localizedOn: me1
          defaultReliability: RELIABLE_PERSISTENT
        - name: shipments
          localizedOn: me2
      """;

  private final Path busFile;
  private final List<MemberProcess> members = new ArrayList<>();
  private final List<MemberProcess> previous = new ArrayList<>();
  private int run;

  EngineCluster(String name) {
    try {
      // A directory of its own: members append to their logs, and a test that waits for a line
      // must not find it in the log of an earlier build's run.
      Path parent = Files.createDirectories(Path.of("target", "it"));
      work = Files.createTempDirectory(parent, name + "-").toAbsolutePath();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    postgres = LocalPostgres.start(work.resolve("pg"));
    busFile = work.resolve("bus.yaml");
    writeBusFile(DEFAULT_BUS);
  }

  LocalPostgres postgres() {
    return postgres;
  }

  Path work() {
    return work;
  }

  void writeBusFile(String yaml) {
    try {
      Files.writeString(busFile, yaml);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The settings every member of engine {@code engine} gets, before the test's own. */
  Map<String, String> defaults(String engine) {
    Map<String, String> p = new LinkedHashMap<>();
    p.put("sibus.bus.name", BUS);
    p.put("sibus.engine.name", engine);
    p.put("sibus.bus.config-file", busFile.toString());
    p.put("quarkus.datasource.jdbc.url", postgres.jdbcUrl());
    p.put("quarkus.datasource.username", LocalPostgres.USER);
    p.put("sibus.engine.lease-duration", "5s");
    p.put("quarkus.log.level", "INFO");
    return p;
  }

  /** Launches a member of {@code engine}; {@code overrides} come on top of the defaults. */
  MemberProcess launch(String engine, String member, Map<String, String> overrides) {
    return launch(engine, member, freePort(), overrides);
  }

  /** Launches a member on a given port ({@link #freePort}). */
  MemberProcess launch(String engine, String member, int port, Map<String, String> overrides) {
    return launch(engine, member, port, overrides, List.of());
  }

  /** Launches a member with JVM options on top of the tests' own. */
  MemberProcess launch(
      String engine,
      String member,
      int port,
      Map<String, String> overrides,
      List<String> jvmOptions) {
    Path jar =
        Path.of(System.getProperty("sibus.engine.jar", "target/quarkus-app/quarkus-run.jar"));
    Map<String, String> props = defaults(engine);
    props.putAll(overrides);
    MemberProcess.Spec spec =
        new MemberProcess.Spec(jar, member)
            .port(port)
            .workDirectory(work.resolve("run-" + run))
            .jvmOption("-Xmx192m")
            .jvmOption("-XX:TieredStopAtLevel=1");
    jvmOptions.forEach(spec::jvmOption);
    MemberProcess process = MemberProcess.launch(spec.properties(props));
    members.add(process);
    return process;
  }

  /**
   * A bus file with engines at known member ports: {@code me1 -> [p1, p2]}, and the given
   * destinations (YAML list items), secret and deduplication window.
   */
  void writeBus(
      Map<String, List<Integer>> engines, String destinations, String secret, String dedupWindow) {
    StringBuilder yaml =
        new StringBuilder(
            "bus: itbus\nsecret: " + secret + "\ndedupWindow: " + dedupWindow + "\nengines:\n");
    engines.forEach(
        (name, ports) -> {
          yaml.append("  - name: ").append(name).append("\n    urls: [");
          yaml.append(String.join(", ", ports.stream().map(p -> "http://127.0.0.1:" + p).toList()));
          yaml.append("]\n");
        });
    yaml.append("destinations:\n").append(destinations);
    writeBusFile(yaml.toString());
  }

  /**
   * A port for a member to listen on, free now, below the range the kernel takes the ports of
   * outgoing connections from (32768 and up by default on Linux). A port of that range (what
   * binding port 0 gives) could be taken by one of the many connections to PostgreSQL before the
   * member, launched later, binds it: a member then failed to start with its port in use.
   */
  static int freePort() {
    for (int tries = 0; tries < PORTS; tries++) {
      int port = FIRST_PORT + Math.floorMod(nextPort.getAndIncrement(), PORTS);
      try (java.net.ServerSocket socket = new java.net.ServerSocket(port)) {
        return port;
      } catch (IOException inUse) {
        // the next one
      }
    }
    throw new IllegalStateException(
        "no free port from " + FIRST_PORT + " to " + (FIRST_PORT + PORTS - 1));
  }

  MemberProcess launch(String engine, String member) {
    return launch(engine, member, Map.of());
  }

  static EngineClient client(MemberProcess member) {
    return new EngineClient(member.url());
  }

  /**
   * Assured persistent producers and consumers of {@code destination}, each sending to and
   * receiving from whichever of the members at {@code urls} is active (a list the test may change
   * as members are replaced).
   */
  static LoadRunner assuredLoad(String destination, List<String> urls) {
    return new LoadRunner(
        destination,
        "ASSURED_PERSISTENT",
        () -> new MemberSetClient(urls, null),
        () -> new MemberSetClient(urls, null));
  }

  /** Injects a test fault into {@code member}, launched with {@link #FAULTS_ON}. */
  static void injectFault(MemberProcess member, String fault) throws IOException {
    assertThat(client(member).post("/api/v1/test/faults/" + fault, null).status())
        .as(fault)
        .isEqualTo(202);
  }

  /** Waits until {@code destination} on {@code member} holds at least {@code depth} messages. */
  static void awaitDepth(MemberProcess member, String destination, long depth) {
    await("depth of " + destination + " reaches " + depth)
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(200))
        .until(() -> client(member).depth(destination) >= depth);
  }

  /** Waits until the member reports {@code state}; fails at once when it exits. */
  static void awaitState(MemberProcess member, String state, Duration timeout) {
    try {
      member.awaitState(state, timeout, Duration.ofMillis(50));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for " + member.name(), e);
    }
  }

  /** The one member of {@code candidates} that reports ACTIVE, waiting for it. */
  static MemberProcess awaitActive(List<MemberProcess> candidates, Duration timeout) {
    Object[] found = new Object[1];
    await("an active member")
        .atMost(timeout)
        .pollInterval(Duration.ofMillis(20))
        .until(
            () -> {
              Optional<MemberProcess> active =
                  candidates.stream()
                      .filter(MemberProcess::alive)
                      .filter(m -> "ACTIVE".equals(m.reportedState()))
                      .findFirst();
              active.ifPresent(m -> found[0] = m);
              return active.isPresent();
            });
    return (MemberProcess) found[0];
  }

  /** Everything the members printed, for a failing test's report. */
  String logs() {
    StringBuilder out = new StringBuilder();
    List<MemberProcess> all = new ArrayList<>(previous);
    all.addAll(members);
    for (MemberProcess m : all) {
      out.append("===== ").append(m.name()).append(" =====\n").append(tail(m.log()));
    }
    return out.toString();
  }

  private static String tail(String log) {
    return log.length() > 20_000 ? log.substring(log.length() - 20_000) : log;
  }

  /** Kills every member and drops every data store, so that the next test starts clean. */
  void reset() {
    for (MemberProcess m : members) {
      m.kill();
    }
    previous.clear();
    previous.addAll(members);
    members.clear();
    run++;
    writeBusFile(DEFAULT_BUS); // what a test wrote is not the next test's
    if (!postgres.running()) {
      postgres.restart();
    }
    try (var c = postgres.connect();
        var s = c.createStatement();
        var rs =
            s.executeQuery(
                "SELECT nspname FROM pg_namespace WHERE nspname LIKE 'sibus\\_%' OR nspname"
                    + " LIKE 'it\\_%'")) {
      List<String> schemas = new ArrayList<>();
      while (rs.next()) {
        schemas.add(rs.getString(1));
      }
      for (String schema : schemas) {
        try (var drop = c.createStatement()) {
          drop.execute("DROP SCHEMA \"" + schema + "\" CASCADE");
        }
      }
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    for (MemberProcess m : members) {
      m.kill();
    }
    postgres.close();
  }
}
