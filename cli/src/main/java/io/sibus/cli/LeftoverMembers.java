package io.sibus.cli;

import java.io.File;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Finds member processes that an earlier {@code sibus up} in the same work directory launched and
 * could not stop (it was killed with SIGKILL), and stops them: they would otherwise keep running,
 * and read the new run's bus config file. A member is recognised by its termination log, which lies
 * in the run's members directory. Only called under the {@link UpLock}.
 */
final class LeftoverMembers {
  private static final Duration GRACE = Duration.ofSeconds(10);

  private LeftoverMembers() {}

  /** Stops each leftover member (SIGTERM, SIGKILL after the grace); returns their process ids. */
  static List<Long> stopAll(Path membersDirectory) {
    return stopWithArgument("-Dsibus.engine.termination-log=" + membersDirectory + File.separator);
  }

  /**
   * Stops every process with an argument starting with {@code prefix} (SIGTERM, SIGKILL after the
   * grace); returns their process ids.
   */
  static List<Long> stopWithArgument(String prefix) {
    List<ProcessHandle> leftovers =
        ProcessHandle.allProcesses().filter(p -> hasArgumentStartingWith(p, prefix)).toList();
    leftovers.forEach(ProcessHandle::destroy);
    for (ProcessHandle member : leftovers) {
      try {
        member.onExit().get(GRACE.toMillis(), TimeUnit.MILLISECONDS);
      } catch (TimeoutException | ExecutionException e) {
        member.destroyForcibly();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        member.destroyForcibly();
      }
    }
    return leftovers.stream().map(ProcessHandle::pid).toList();
  }

  private static boolean hasArgumentStartingWith(ProcessHandle process, String prefix) {
    return process
        .info()
        .arguments()
        .map(arguments -> Arrays.stream(arguments).anyMatch(a -> a.startsWith(prefix)))
        .orElse(false);
  }
}
