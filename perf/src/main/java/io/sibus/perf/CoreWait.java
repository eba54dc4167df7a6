package io.sibus.perf;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * How long the engine's group-commit writer threads and one PostgreSQL process, the one that ran
 * most (the writers' connection under load), waited for a core during a measured interval. Read
 * from Linux's scheduler statistics ({@code schedstat}: nanoseconds on a core, and nanoseconds
 * runnable but waiting in a run queue). On a machine whose cores the load generator, the engine and
 * the database share, part of each commit's round trip is this wait, and it grows with everything
 * else the machine runs: it tells a slow machine from a slow engine.
 *
 * <p>For one engine only: with two, the busiest database process may be the other engine's. When a
 * second writer commits on its own connection (light load), that connection's wait is not counted.
 */
final class CoreWait {
  /** A thread's or process's scheduler counters, in nanoseconds. */
  record Counters(long onCore, long waiting) {}

  /**
   * Counters at one moment: per writer thread and per PostgreSQL process, by thread or process id.
   */
  record Sample(Map<String, Counters> writers, Map<String, Counters> postgres) {}

  private static final Path PROC = Path.of("/proc");

  private CoreWait() {}

  /** The counters of the engine process {@code enginePid} and of every PostgreSQL process. */
  static Sample sample(long enginePid) {
    Map<String, Counters> writers = new HashMap<>();
    Path tasks = PROC.resolve(Long.toString(enginePid)).resolve("task");
    forEachEntry(
        tasks,
        task -> {
          if (name(task).startsWith("sibus-writer")) {
            counters(task).ifPresent(c -> writers.put(task.getFileName().toString(), c));
          }
        });
    Map<String, Counters> postgres = new HashMap<>();
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
   * on a core between the samples) waited for a core; NaN without commits, or without counters in
   * either sample.
   */
  static double perCommitMillis(Sample before, Sample after, double commits) {
    if (commits <= 0 || unread(before) || unread(after)) {
      return Double.NaN;
    }
    long writersWaited = 0;
    for (var writer : after.writers().entrySet()) {
      writersWaited += since(before.writers(), writer.getKey(), writer.getValue()).waiting();
    }
    Counters busiest = null;
    for (var process : after.postgres().entrySet()) {
      Counters change = since(before.postgres(), process.getKey(), process.getValue());
      if (busiest == null || change.onCore() > busiest.onCore()) {
        busiest = change;
      }
    }
    return (writersWaited + busiest.waiting()) / 1e6 / commits;
  }

  private static boolean unread(Sample sample) {
    return sample.writers().isEmpty() || sample.postgres().isEmpty();
  }

  /** What {@code key} counted since {@code before} (all of it, for one started since). */
  private static Counters since(Map<String, Counters> before, String key, Counters now) {
    Counters then = before.get(key);
    return then == null
        ? now
        : new Counters(now.onCore() - then.onCore(), now.waiting() - then.waiting());
  }

  private static void forEachEntry(Path directory, Consumer<Path> action) {
    try (Stream<Path> entries = Files.list(directory)) {
      entries.forEach(action);
    } catch (IOException | UncheckedIOException e) {
      // not on Linux, or the engine has ended: no counters
    }
  }

  private static String name(Path processOrTask) {
    try {
      return Files.readString(processOrTask.resolve("comm")).strip();
    } catch (IOException e) {
      return ""; // ended meanwhile
    }
  }

  private static Optional<Counters> counters(Path processOrTask) {
    try {
      String[] fields = Files.readString(processOrTask.resolve("schedstat")).strip().split(" ");
      return Optional.of(new Counters(Long.parseLong(fields[0]), Long.parseLong(fields[1])));
    } catch (IOException | NumberFormatException | ArrayIndexOutOfBoundsException e) {
      return Optional.empty(); // ended meanwhile, or a kernel without schedstat
    }
  }
}
