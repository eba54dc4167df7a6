package io.sibus.perf;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Options that do not go together are refused (exit 2) before anything starts. */
class PerfCommandTest {
  @Test
  void roundsAreRefusedWithoutCompare() {
    assertThat(refusal("--rounds", "3")).contains("give it with --compare");
  }

  @Test
  void roundsAreRefusedBelowOne() {
    assertThat(refusal("--compare", "--rounds", "0")).contains("--rounds").contains("at least 1");
  }

  /** What {@code sibus perf args} says on its error stream; it must exit 2. */
  private static String refusal(String... args) {
    PrintStream err = System.err;
    ByteArrayOutputStream said = new ByteArrayOutputStream();
    System.setErr(new PrintStream(said, true, StandardCharsets.UTF_8));
    try {
      assertThat(new CommandLine(new PerfCommand()).execute(args)).isEqualTo(2);
    } finally {
      System.setErr(err);
    }
    return said.toString(StandardCharsets.UTF_8);
  }
}
