package io.sibus.perf;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * How long a commit's two threads waited for a core during a measured interval: the engine's
 * group-commit writers and the busiest PostgreSQL process, which is the writers' connection under
 * load. Read from Linux's scheduler statistics ({@code schedstat}: nanoseconds on a core, and
 * nanoseconds runnable but waiting in a run queue). On a machine whose cores the load generator,
 * the engine and the database share, part of each commit's round trip is this wait, and it grows
 * with everything else the machine runs: it tells a slow machine from a slow engine.
 */
final class CoreWait {
  /**
   * Counters at one moment: for each writer thread and each PostgreSQL process, nanoseconds on a
   * core ({@code [0]}) and waiting for one ({@code [1]}).
   */
  record Sample(Map<String, long[]> writers, Map<String, long[]> postgres) {}

  private static final Path PROC = Path.of("/proc");

  private CoreWait() {}

  /** The counters of the engine process {@code enginePid} and of every PostgreSQL process. */
  static Sample sample(long enginePid) {
    Map<String, long[]> writers = new HashMap<>();
    Path tasks = PROC.resolve(Long.toString(enginePid)).resolve("task");
    forEachEntry(
        tasks,
        task -> {
          if (name(task).startsWith("sibus-writer")) {
            counters(task).ifPresent(c -> writers.put(task.getFileName().toString(), c));
          }
        });
    Map<String, long[]> postgres = new HashMap<>();
    forEachEntry(
        PROC,
        process -> {
          if (process.getFileName().toString().chars().allMatch(Character::isDigit)
              && name(process).equals("postgres")) {
            counters(process).ifPresent(c -> postgres.put(process.getFileName().toString(), c));
          }
        });
    return new Sample(writers, postgres);
  }

  /**
   * Milliseconds per commit that the writer threads and the busiest PostgreSQL process (by its time
   * on a core between the samples) waited for a core; NaN without commits or counters.
   */
  static double perCommitMillis(Sample before, Sample after, double commits) {
    if (commits <= 0 || after.writers().isEmpty() || after.postgres().isEmpty()) {
      return Double.NaN;
    }
    long writersWaited = 0;
    for (var writer : after.writers().entrySet()) {
      writersWaited += delta(before.writers(), writer.getKey(), writer.getValue(), 1);
    }
    String busiest = null;
    long busiestOnCore = -1;
    for (var process : after.postgres().entrySet()) {
      long onCore = delta(before.postgres(), process.getKey(), process.getValue(), 0);
      if (onCore > busiestOnCore) {
        busiest = process.getKey();
        busiestOnCore = onCore;
      }
    }
    long databaseWaited = delta(before.postgres(), busiest, after.postgres().get(busiest), 1);
    return (writersWaited + databaseWaited) / 1e6 / commits;
  }

  /** Counter {@code i} of {@code key} since {@code before} (all of it for one started since). */
  private static long delta(Map<String, long[]> before, String key, long[] now, int i) {
    long[] then = before.get(key);
    return then == null ? now[i] : now[i] - then[i];
  }

  private static void forEachEntry(Path directory, Consumer<Path> action) {
    try (Stream<Path> entries = Files.list(directory)) {
      entries.forEach(action);
    } catch (IOException | RuntimeException e) {
      // not on Linux, or the process has ended: no counters
    }
  }

  private static String name(Path processOrTask) {
    try {
      return Files.readString(processOrTask.resolve("comm")).strip();
    } catch (IOException e) {
      return ""; // ended meanwhile
    }
  }

  private static Optional<long[]> counters(Path processOrTask) {
    try {
      String[] fields = Files.readString(processOrTask.resolve("schedstat")).strip().split(" ");
      return Optional.of(new long[] {Long.parseLong(fields[0]), Long.parseLong(fields[1])});
    } catch (IOException | RuntimeException e) {
      return Optional.empty(); // ended meanwhile, or a kernel without schedstat
    }
  }
}
