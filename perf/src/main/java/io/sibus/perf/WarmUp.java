package io.sibus.perf;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * Load before measuring, until the JIT compilers of the measured JVMs have done their work. On two
 * cores, C2 compiling the hot paths takes a core for 30–50 s under load; a run measured during that
 * time reports the compiler's stalls (100–500 ms sends), not the steady state. So the warm-up lasts
 * at least the given seconds and then goes on, in steps, until the compiler threads of every JVM
 * used less than {@link #SETTLED_SHARE} of a core during the last step (or a limit is reached).
 */
final class WarmUp {
  /** One step of unmeasured load, of the given seconds. */
  @FunctionalInterface
  interface Load {
    void run(int seconds) throws Exception;
  }

  static final double SETTLED_SHARE = 0.05;

  /** The least warm-up of a run after the first: its JVMs have compiled most paths already. */
  static final int NEXT_RUN_SECONDS = 5;

  private static final int STEP_SECONDS = 5;
  private static final int MAX_SECONDS = 180;

  private WarmUp() {}

  /**
   * Loads for at least {@code minSeconds}, then until the compilers of {@code pids} (this JVM is
   * always included) settle. After every step it runs {@code probe}, what the measurement does
   * around its interval (reading the engine's metrics): code first run at the start of the interval
   * would be compiled, and would make the JIT throw out code compiled without it, inside the
   * measurement. Returns what happened, for the output.
   */
  static String run(Load load, Runnable probe, int minSeconds, List<Long> pids) throws Exception {
    if (minSeconds <= 0) {
      return "no warm-up";
    }
    List<Long> jvms =
        Stream.concat(pids.stream(), Stream.of(ProcessHandle.current().pid())).distinct().toList();
    for (int second = 0; second < minSeconds; second += STEP_SECONDS) {
      load.run(Math.min(STEP_SECONDS, minSeconds - second));
      probe.run();
    }
    int total = minSeconds;
    double share = Double.NaN;
    while (total < MAX_SECONDS) {
      double before = compilerSeconds(jvms);
      load.run(STEP_SECONDS);
      probe.run();
      total += STEP_SECONDS;
      share = (compilerSeconds(jvms) - before) / STEP_SECONDS;
      if (share < SETTLED_SHARE || Double.isNaN(share)) {
        break;
      }
    }
    return "warmed up for "
        + total
        + " s"
        + (Double.isNaN(share)
            ? ""
            : String.format(
                " (JIT compilers at %.0f%% of a core in the last %d s)",
                share * 100, STEP_SECONDS));
  }

  /** CPU seconds the JIT compiler threads of these processes have used together, or NaN. */
  static double compilerSeconds(List<Long> pids) {
    double total = 0;
    for (long pid : pids) {
      Path tasks = Path.of("/proc", Long.toString(pid), "task");
      try (Stream<Path> threads = Files.list(tasks)) {
        for (Path thread : threads.toList()) {
          if (isCompiler(thread)) {
            total += Math.max(0, EngineProbe.cpuSeconds(thread.resolve("stat")));
          }
        }
      } catch (IOException | RuntimeException e) {
        return Double.NaN; // not on Linux, or the process ended
      }
    }
    return total;
  }

  private static boolean isCompiler(Path thread) {
    try {
      String name = Files.readString(thread.resolve("comm"));
      return name.startsWith("C2 Compiler") || name.startsWith("C1 Compiler");
    } catch (IOException e) {
      return false; // the thread ended meanwhile
    }
  }
}
