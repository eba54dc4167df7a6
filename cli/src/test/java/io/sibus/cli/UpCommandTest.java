package io.sibus.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UpCommandTest {
  @Test
  void withoutTheJarsSaysHowToBuildThemAndStartsNothing(@TempDir Path home) {
    Run run = inHome(home, "up");

    assertOneLineFailure(run);
    assertThat(run.err())
        .contains(home.resolve(EngineJar.RELATIVE_PATH).toString())
        .contains("./mvnw -q -B -DskipTests -pl engine-service,operator,cli -am package");
  }

  @Test
  void standaloneWithoutTheEngineJarSaysHowToBuildItAndStartsNothing(@TempDir Path home) {
    Run run = inHome(home, "up", "--standalone");

    assertOneLineFailure(run);
    assertThat(run.err())
        .contains(home.resolve(EngineJar.RELATIVE_PATH).toString())
        .contains("./mvnw -q -B -DskipTests -pl engine-service -am package");
  }

  /** Runs the command with {@code sibus.home} set to {@code home}, as the launcher sets it. */
  private static Run inHome(Path home, String... args) {
    String before = System.getProperty("sibus.home");
    System.setProperty("sibus.home", home.toString());
    try {
      return Run.of(args);
    } finally {
      if (before == null) {
        System.clearProperty("sibus.home");
      } else {
        System.setProperty("sibus.home", before);
      }
    }
  }

  private static void assertOneLineFailure(Run run) {
    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.out()).isEmpty();
    assertThat(run.err().lines()).hasSize(1);
  }

  @Test
  void theBusConfigFileHasTheEngineWithItsMembersAndTheQueueOnIt(@TempDir Path dir)
      throws Exception {
    Path file =
        new BusConfigFile(
                "demo", "me1", List.of("http://127.0.0.1:1", "http://127.0.0.1:2"), "orders")
            .writeTo(dir.resolve("sub").resolve("bus.yaml"));

    assertThat(Files.readString(file))
        .isEqualTo(
            """
            bus: demo
            engines:
              - name: me1
                urls: [http://127.0.0.1:1, http://127.0.0.1:2]
            destinations:
              - name: orders
                type: Queue
                localizedOn: me1
                defaultReliability: ASSURED_PERSISTENT
                maxRedeliveries: 5
            """);
  }
}
