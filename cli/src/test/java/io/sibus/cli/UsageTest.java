package io.sibus.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Command lines that cannot be understood exit with 2 and say why in one line on stderr. */
class UsageTest {
  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "                                                | a command is required",
        "frobnicate                                      | frobnicate",
        "send --url http://127.0.0.1:1                   | --destination",
        "send --destination orders                       | --url is required",
        "send --url ftp://x --destination orders         | not an http or https URL",
        "send --url http://127.0.0.1:1 --destination d --count 0 | --count",
        "send --url http://127.0.0.1:1 --destination d --reliability SOMETIMES | SOMETIMES",
        "receive --url http://127.0.0.1:1 --destination d --max 0 | --max",
        "receive --url http://127.0.0.1:1 --destination d --wait-ms -1 | --wait-ms",
        "up --start-timeout 0                            | --start-timeout",
        "ddl --schema                                    | --schema",
      })
  void badUsageExitsWithTwoAndOneLine(String commandLine, String expected) {
    String[] args = commandLine == null ? new String[0] : commandLine.trim().split("\\s+");

    Run run = Run.of(args);

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.out()).isEmpty();
    assertThat(run.err().lines()).hasSize(1);
    assertThat(run.err()).contains(expected);
  }

  @Test
  void statusWithAKubeconfigThatCannotBeReadFailsInOneLine() {
    Run run = Run.of("status", "--bus", "demo", "--kubeconfig", "/nonexistent/kubeconfig");

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.err().lines()).hasSize(1);
    assertThat(run.err()).contains("cannot read the kubeconfig /nonexistent/kubeconfig");
  }

  @Test
  void helpIsNotAnError() {
    Run run = Run.of("send", "--help");

    assertThat(run.exitCode()).isZero();
    assertThat(run.out()).contains("--destination").contains("#1");
  }
}
