package io.sibus.perf;

import io.sibus.local.EngineClient;
import io.sibus.local.LocalPostgres;
import io.sibus.local.MemberProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * An engine to measure when none is given: an embedded PostgreSQL (fsync and synchronous commit on)
 * and one engine member process with a queue {@code perf}, on this machine.
 */
final class LocalTarget implements AutoCloseable {
  private final LocalPostgres postgres;
  private final MemberProcess member;

  private LocalTarget(LocalPostgres postgres, MemberProcess member) {
    this.postgres = postgres;
    this.member = member;
  }

  static LocalTarget start(Path home, Path work) throws IOException, InterruptedException {
    Path jar = home.resolve("engine-service/target/quarkus-app/quarkus-run.jar");
    if (!Files.exists(jar)) {
      throw new IllegalStateException(
          "the engine is not built: run ./mvnw -DskipTests -pl engine-service -am package");
    }
    Files.createDirectories(work);
    LocalPostgres postgres = LocalPostgres.start(work.resolve("pg"));
    Path busFile = work.resolve("bus.yaml");
    Files.writeString(
        busFile,
        "bus: perf\nengines: [{name: perf}]\ndestinations: [{name: perf, localizedOn: perf}]\n");
    MemberProcess member =
        MemberProcess.launch(
            new MemberProcess.Spec(jar, "perf-0")
                .workDirectory(work)
                .jvmOption("-Xmx512m")
                .property("sibus.bus.name", "perf")
                .property("sibus.engine.name", "perf")
                .property("sibus.bus.config-file", busFile.toString())
                .property("quarkus.datasource.jdbc.url", postgres.jdbcUrl())
                .property("quarkus.datasource.username", LocalPostgres.USER));
    LocalTarget target = new LocalTarget(postgres, member);
    long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
    while (System.nanoTime() < deadline) {
      try {
        if ("ACTIVE".equals(new EngineClient(member.url()).engine().text("state"))) {
          return target;
        }
      } catch (IOException notYet) {
        // starting
      }
      Thread.sleep(100);
    }
    target.close();
    throw new IllegalStateException(
        "the local engine did not become active; see " + member.logFile());
  }

  String url() {
    return member.url();
  }

  long pid() {
    return member.pid();
  }

  @Override
  public void close() {
    member.terminate(Duration.ofSeconds(10));
    postgres.close();
  }
}
