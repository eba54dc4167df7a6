package io.sibus.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * The resident memory of this process, every process it started, and the processes working in
 * {@code directory} with theirs (a PostgreSQL server detaches from the process that started it).
 * Linux /proc.
 */
final class ProcessMemory {
  private ProcessMemory() {}

  static long residentMiB(Path directory) {
    String marker = directory.toAbsolutePath().toString();
    Stream<ProcessHandle> detached =
        ProcessHandle.allProcesses()
            .filter(
                p ->
                    p.info()
                        .arguments()
                        .map(a -> String.join(" ", a).contains(marker))
                        .orElse(false))
            .flatMap(p -> Stream.concat(Stream.of(p), p.descendants()));
    Stream<ProcessHandle> started =
        Stream.concat(Stream.of(ProcessHandle.current()), ProcessHandle.current().descendants());
    long kib =
        Stream.concat(started, detached)
            .mapToLong(ProcessHandle::pid)
            .distinct()
            .map(ProcessMemory::residentKiB)
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
