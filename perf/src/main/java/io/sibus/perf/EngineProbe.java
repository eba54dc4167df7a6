package io.sibus.perf;

import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the engine says about itself during a run: group commits from its metrics, and (when it runs
 * on this machine) its CPU time and resident memory from /proc.
 */
final class EngineProbe {
  private static final Pattern COUNT =
      Pattern.compile("^sibus_group_commit_batch_size_count\\S* ([0-9.E]+)", Pattern.MULTILINE);
  private static final Pattern SUM =
      Pattern.compile("^sibus_group_commit_batch_size_sum\\S* ([0-9.E]+)", Pattern.MULTILINE);

  private static final Pattern COMMIT_SECONDS =
      Pattern.compile("^sibus_group_commit_latency_seconds_sum\\S* ([0-9.E]+)", Pattern.MULTILINE);

  /**
   * Group commits so far: transactions, the operations they held, and the seconds their committing
   * round trips took (the wait for the disk; since 2026-12-06 with the statements that travel with
   * the COMMIT).
   */
  record Commits(double transactions, double operations, double commitSeconds) {}

  private EngineProbe() {}

  static Commits commits(String url) {
    try {
      String text = metricsText(url);
      return new Commits(number(COUNT, text), number(SUM, text), number(COMMIT_SECONDS, text));
    } catch (IOException e) {
      return new Commits(0, 0, 0);
    }
  }

  /**
   * The engine's metrics page, read with the JDK's older HTTP client on purpose. Read with the
   * java.net.http client the load runs on (a GET among its POSTs, and a text body tried as JSON),
   * it invalidated the type profiles the JIT had compiled the clients' hot paths with: at the start
   * of a measured interval, dozens of compiled methods were thrown out and compiled again, and
   * sends stalled for up to 800 ms.
   */
  private static String metricsText(String url) throws IOException {
    String base = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    HttpURLConnection c =
        (HttpURLConnection) URI.create(base + "/q/metrics").toURL().openConnection();
    c.setConnectTimeout(10_000);
    c.setReadTimeout(30_000);
    try (InputStream in = c.getInputStream()) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } finally {
      c.disconnect();
    }
  }

  /** CPU seconds (user + system) the process has used, or -1 when unknown. */
  static double cpuSeconds(long pid) {
    return cpuSeconds(Path.of("/proc", Long.toString(pid), "stat"));
  }

  /** CPU seconds (user + system) from a process's or thread's /proc stat file, or -1. */
  static double cpuSeconds(Path statFile) {
    try {
      String stat = Files.readString(statFile);
      String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
      return ticks / 100.0; // USER_HZ is 100 on Linux
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  /** Resident memory in MiB, or -1 when unknown. */
  static double rssMiB(long pid) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
        }
      }
    } catch (IOException | RuntimeException e) {
      // not on this machine
    }
    return -1;
  }

  private static double number(Pattern pattern, String text) {
    Matcher m = pattern.matcher(text);
    return m.find() ? Double.parseDouble(m.group(1)) : 0;
  }
}
