package io.sibus.cli;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

/**
 * Stops the pod processes and PostgreSQL servers that an earlier {@code sibus up} left behind when
 * it was killed with SIGKILL (its children outlive it). A pod process is recognised by its hosts
 * file, which lies in the run's cluster directory; a PostgreSQL server by its data directory there.
 * Only called under the {@link UpLock}.
 */
final class LeftoverPods {
  private static final Duration GRACE = Duration.ofSeconds(10);

  private LeftoverPods() {}

  static void stopAll(Path clusterWork) {
    String marker = "-Djdk.net.hosts.file=" + clusterWork.toAbsolutePath() + File.separator;
    List<ProcessHandle> leftovers =
        ProcessHandle.allProcesses()
            .filter(
                p ->
                    p.info()
                        .arguments()
                        .map(args -> Arrays.stream(args).anyMatch(a -> a.startsWith(marker)))
                        .orElse(false))
            .toList();
    leftovers.forEach(ProcessHandle::destroy);
    for (ProcessHandle pod : leftovers) {
      try {
        pod.onExit().get(GRACE.toMillis(), TimeUnit.MILLISECONDS);
      } catch (TimeoutException | ExecutionException e) {
        pod.destroyForcibly();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        pod.destroyForcibly();
      }
    }
    // Database pods keep their data in data/<namespace>/<pod>/pgdata.
    Path data = clusterWork.resolve("data");
    if (Files.isDirectory(data)) {
      try (Stream<Path> pods = Files.walk(data, 2)) {
        pods.filter(p -> data.relativize(p).getNameCount() == 2)
            .toList()
            .forEach(LeftoverPostgres::stopAll);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
