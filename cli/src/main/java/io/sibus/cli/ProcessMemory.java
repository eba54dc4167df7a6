package io.sibus.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/** The resident memory of this process and every process it started (Linux /proc). */
final class ProcessMemory {
  private ProcessMemory() {}

  static long residentMiB() {
    long kib =
        Stream.concat(Stream.of(ProcessHandle.current()), ProcessHandle.current().descendants())
            .mapToLong(p -> residentKiB(p.pid()))
            .sum();
    return kib / 1024;
  }

  private static long residentKiB(long pid) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
      }
    } catch (IOException | NumberFormatException e) {
      // the process ended meanwhile, or this is not Linux: it counts as nothing
    }
    return 0;
  }
}
