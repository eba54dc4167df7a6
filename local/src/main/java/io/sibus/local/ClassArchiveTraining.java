package io.sibus.local;

import io.sibus.local.EngineClient.Outgoing;
import io.sibus.local.EngineClient.Reply;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * The training run of the engine's build (engine-service/pom.xml, "class-data-archive"). A member
 * of a one-engine bus starts on an empty data store, becomes ACTIVE, sends and receives a few
 * messages and is stopped with SIGTERM; its JVM ({@code -XX:ArchiveClassesAtExit}) writes the
 * classes it loaded and linked, parsed and verified, to the archive beside the jar, which locally
 * launched members then map ({@link MemberProcess#CLASS_ARCHIVE}). Quarkus's own archive stops
 * after static initialisation: a member then loaded 1,994 classes from it and 2,511 from the jars;
 * from this one, 4,062 and 1,085.
 *
 * <p>Usage: {@code ClassArchiveTraining <engine jar> <work directory>}.
 */
public final class ClassArchiveTraining {
  private static final String ENGINE = "training";
  private static final String QUEUE = "training.queue";
  private static final int MESSAGES = 100;
  private static final Duration START_TIMEOUT = Duration.ofMinutes(2);

  /**
   * Writing the archive at exit takes a while (1.3 s for its 33 MB here; minutes are room for a
   * slow disk).
   */
  private static final Duration EXIT_TIMEOUT = Duration.ofMinutes(2);

  /** The exit code of a JVM ended by SIGKILL: it wrote no archive, or a part of one. */
  private static final int KILLED = 137;

  private ClassArchiveTraining() {}

  /**
   * Never fails the build: without an archive (no embedded PostgreSQL for this platform, a JDK
   * without a base archive of its own), members start as they would without it, only slower.
   */
  public static void main(String[] args) throws IOException {
    if (args.length != 2) {
      System.err.println("usage: ClassArchiveTraining <engine jar> <work directory>");
      System.exit(2);
    }
    Path jar = Path.of(args[0]).toAbsolutePath();
    Path work = Path.of(args[1]).toAbsolutePath();
    Path archive = jar.resolveSibling(MemberProcess.CLASS_ARCHIVE);
    // A member maps an archive it finds; this JDK cannot record a new one on top of it.
    Files.deleteIfExists(archive);
    Files2.deleteRecursively(work);
    Files.createDirectories(work);
    try {
      train(jar, work, archive);
    } catch (Exception e) {
      Files.deleteIfExists(archive);
      System.out.println(
          "no class-data archive: " + e.getMessage() + "; members start without one");
      return;
    }
    if (Files.isRegularFile(archive)) {
      System.out.printf("class-data archive %s: %d MiB%n", archive, Files.size(archive) >> 20);
    } else {
      System.out.println(
          "no class-data archive: this JDK wrote none (see "
              + work
              + "); members start without one");
    }
  }

  private static void train(Path jar, Path work, Path archive) throws Exception {
    Path bus = writeBusFile(work);
    try (LocalPostgres postgres = LocalPostgres.start(work.resolve("pg"));
        MemberProcess member =
            MemberProcess.launch(trainingMember(jar, work, archive, bus, postgres))) {
      // Should this JVM be stopped first (a build cancelled), its member must not go on to
      // write an archive over the next build's.
      Thread guard = new Thread(member::kill, "training-member-guard");
      Runtime.getRuntime().addShutdownHook(guard);
      member.awaitState("ACTIVE", START_TIMEOUT, Duration.ofMillis(50));
      exchangeMessages(new EngineClient(member.url()));
      member.terminate(EXIT_TIMEOUT);
      Integer exit = member.waitFor(Duration.ZERO);
      Runtime.getRuntime().removeShutdownHook(guard);
      if (exit == null || exit == KILLED) {
        throw new IllegalStateException(
            "the training member did not stop within "
                + EXIT_TIMEOUT
                + "; see "
                + member.logFile());
      }
    }
  }

  private static Path writeBusFile(Path work) throws IOException {
    Path bus = work.resolve("bus.yaml");
    Files.writeString(
        bus,
        "bus: "
            + ENGINE
            + "\nengines:\n  - name: "
            + ENGINE
            + "\ndestinations:\n  - name: "
            + QUEUE
            + "\n    localizedOn: "
            + ENGINE
            + "\n",
        StandardCharsets.UTF_8);
    return bus;
  }

  private static MemberProcess.Spec trainingMember(
      Path jar, Path work, Path archive, Path bus, LocalPostgres postgres) {
    return new MemberProcess.Spec(jar, ENGINE + "-0")
        .workDirectory(work)
        .jvmOption("-XX:ArchiveClassesAtExit=" + archive)
        // Not the hundreds of "Skipping ...: Not linked" warnings of the dump.
        .jvmOption("-Xlog:cds=error")
        .properties(
            Map.of(
                "sibus.bus.name",
                ENGINE,
                "sibus.engine.name",
                ENGINE,
                // Explicit, so that a KUBERNETES_SERVICE_HOST in a build pod's environment does
                // not make the member wait for a Lease.
                "sibus.engine.election",
                "datastore",
                "sibus.bus.config-file",
                bus.toString(),
                "quarkus.datasource.jdbc.url",
                postgres.jdbcUrl(),
                "quarkus.datasource.username",
                LocalPostgres.USER));
  }

  /** The paths of a first send, receive and acknowledgement are part of what a member loads. */
  private static void exchangeMessages(EngineClient client) throws IOException {
    for (int i = 0; i < MESSAGES; i++) {
      Reply sent = client.send(QUEUE, new Outgoing("training " + i));
      if (!sent.ok()) {
        throw new IOException("a training send answered " + sent);
      }
    }
    int received = client.drain(QUEUE).size();
    if (received != MESSAGES) {
      throw new IOException("the training run received " + received + " of " + MESSAGES);
    }
  }
}
