package io.sibus.cli;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * Stops the pod processes and PostgreSQL servers that an earlier {@code sibus up} left behind when
 * it was killed with SIGKILL (its children outlive it). A pod process is recognised by its hosts
 * file, which lies in the run's cluster directory; a PostgreSQL server by its data directory there.
 * Only called under the {@link UpLock}.
 */
final class LeftoverPods {
  private LeftoverPods() {}

  static void stopAll(Path clusterWork) {
    LeftoverMembers.stopWithArgument(
        "-Djdk.net.hosts.file=" + clusterWork.toAbsolutePath() + File.separator);
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
