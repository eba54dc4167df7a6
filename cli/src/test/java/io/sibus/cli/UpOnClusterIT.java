package io.sibus.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code sibus up} as a user runs it: the command's jar as a process of its own, the whole system
 * on the local cluster, the lines scripts rely on, {@code sibus status} through the kubeconfig it
 * wrote, a message sent and received through the Services, and SIGTERM leaving no process behind.
 */
class UpOnClusterIT {
  private static final Path HOME =
      Path.of(System.getProperty("sibus.home", "..")).toAbsolutePath().normalize();
  private static final Pattern ENGINE = Pattern.compile("^engine (\\S+): (http://\\S+)$");

  @Test
  void upRunsTheSampleBusOnTheLocalClusterAndStopsEverythingOnSigterm(@TempDir Path cwd)
      throws Exception {
    Process up =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dsibus.home=" + HOME,
                "-jar",
                HOME.resolve("cli/target/sibus-cli.jar").toString(),
                "up")
            .directory(cwd.toFile())
            .redirectErrorStream(true)
            .start();
    StringBuilder printed = new StringBuilder();
    Map<String, String> engines = new LinkedHashMap<>();
    String kubeconfig = null;
    try {
      BufferedReader lines =
          new BufferedReader(new InputStreamReader(up.getInputStream(), StandardCharsets.UTF_8));
      String line;
      while ((line = lines.readLine()) != null) {
        printed.append(line).append('\n');
        if (line.startsWith("kubeconfig: ")) {
          kubeconfig = line.substring("kubeconfig: ".length());
        }
        Matcher m = ENGINE.matcher(line);
        if (m.matches()) {
          engines.put(m.group(1), m.group(2));
        }
        if (line.startsWith("Press Ctrl-C")) {
          break;
        }
      }
      assertThat(engines).as(printed.toString()).containsOnlyKeys("me1", "me2");
      assertThat(kubeconfig).isNotNull();
      assertThat(Files.readString(Path.of(kubeconfig))).contains("server: http://127.0.0.1:");

      Run status = Run.of("status", "--kubeconfig", kubeconfig, "--bus", "demo");
      assertThat(status.exitCode()).as(status.err()).isZero();
      assertThat(status.out())
          .contains("bus demo namespace=sibus-demo")
          .containsPattern("engine me1 phase=Running active=me1-[01] membersReady=2/2")
          .containsPattern("engine me2 phase=Running active=me2-[01]");

      Run sent =
          Run.of("send", "--url", engines.get("me1"), "--destination", "shipments", "--body", "hi");
      assertThat(sent.exitCode()).as(sent.err()).isZero();
      Run received =
          Run.of(
              "receive",
              "--url",
              engines.get("me2"),
              "--destination",
              "shipments",
              "--wait-ms",
              "5000");
      assertThat(received.out().lines()).containsExactly("hi");

      assertThat(printed.toString()).containsPattern("memory: \\d+ MiB resident");
      List<ProcessHandle> started = up.descendants().toList();
      assertThat(started).hasSizeGreaterThanOrEqualTo(6); // 2 operators, 4 members, PostgreSQL
      up.destroy(); // SIGTERM, as Ctrl-C
      assertThat(up.waitFor(120, TimeUnit.SECONDS)).isTrue();
      assertThat(started).noneMatch(ProcessHandle::isAlive);
      // PostgreSQL detaches from its starter: found by its data directory under the work directory.
      assertThat(
              ProcessHandle.allProcesses()
                  .filter(
                      p ->
                          p.info()
                              .arguments()
                              .map(a -> String.join(" ", a).contains(cwd.toString()))
                              .orElse(false)))
          .as("processes working in " + cwd)
          .isEmpty();
    } finally {
      up.descendants().forEach(ProcessHandle::destroyForcibly);
      up.destroyForcibly();
    }
  }
}
