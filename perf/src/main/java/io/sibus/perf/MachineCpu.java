package io.sibus.perf;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the machine's CPU went during a measured interval, from Linux's /proc: the share the
 * hypervisor gave to other guests instead ("steal"), and the share this process (the load
 * generator) used. On a shared virtual machine, steal comes and goes with the neighbours and stalls
 * every process at once; a run's figures mean little without it.
 */
final class MachineCpu {
  /** Counters at one moment: ticks (-1 without /proc/stat), and this process's CPU seconds. */
  record Sample(long total, long steal, double ownSeconds) {}

  /**
   * Shares of the machine's CPU during an interval: {@code steal} of all its cores' time, {@code
   * loadGenerator} of one core (as the engine's CPU % is); NaN where unknown.
   */
  record Usage(double steal, double loadGenerator) {}

  private MachineCpu() {}

  static Sample sample() {
    double own = EngineProbe.cpuSeconds(ProcessHandle.current().pid());
    try {
      String first = Files.readAllLines(Path.of("/proc/stat")).get(0);
      String[] f = first.trim().split("\\s+"); // cpu user nice system idle iowait irq softirq steal
      long total = 0;
      for (int i = 1; i <= 8; i++) {
        total += Long.parseLong(f[i]);
      }
      return new Sample(total, Long.parseLong(f[8]), own);
    } catch (IOException | RuntimeException e) {
      return new Sample(-1, -1, own);
    }
  }

  static Usage between(Sample before, Sample after, double seconds) {
    long total = after.total() - before.total();
    double steal =
        before.total() < 0 || total <= 0
            ? Double.NaN
            : (after.steal() - before.steal()) / (double) total;
    double own =
        before.ownSeconds() < 0 || seconds <= 0
            ? Double.NaN
            : (after.ownSeconds() - before.ownSeconds()) / seconds;
    return new Usage(steal, own);
  }
}
