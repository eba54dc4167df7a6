package io.sibus.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

/**
 * Finds PostgreSQL servers running on data directories under {@code sibus up}'s work directory that
 * no {@link io.sibus.local.LocalPostgres} holds any more, stops them and removes their data. There
 * are two sources: a run that was killed (SIGKILL) before it could stop its server, and a signal
 * during start-up, when the embedded server was launched but its handle never returned. Only called
 * under the {@link UpLock}, so no other run's server is touched.
 */
final class LeftoverPostgres {
  private static final Duration GRACE = Duration.ofSeconds(10);
  private static final Duration STARTER_PATIENCE = Duration.ofSeconds(60);

  private LeftoverPostgres() {}

  /** Stops each leftover server; returns the process ids it stopped. */
  static List<Long> stopAll(Path pgWork) {
    awaitOwnStarters();
    List<Long> stopped = new ArrayList<>();
    for (Path dataDirectory : dataDirectories(pgWork)) {
      serverOf(dataDirectory).ifPresent(server -> stopped.add(stop(server)));
      deleteRecursively(dataDirectory);
    }
    return stopped;
  }

  /**
   * Waits for this process's own {@code initdb} and {@code pg_ctl} children. A signal during
   * start-up can interrupt the embedded PostgreSQL after it launched {@code pg_ctl start} and
   * before it returned: the server then appears (with its {@code postmaster.pid}) only once {@code
   * pg_ctl} is done.
   */
  private static void awaitOwnStarters() {
    ProcessHandle.current()
        .children()
        .filter(
            p ->
                p.info()
                    .command()
                    .map(c -> c.endsWith("pg_ctl") || c.endsWith("initdb"))
                    .orElse(false))
        .forEach(LeftoverPostgres::awaitExit);
  }

  private static void awaitExit(ProcessHandle process) {
    try {
      process.onExit().get(STARTER_PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException | ExecutionException e) {
      process.destroyForcibly();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static List<Path> dataDirectories(Path pgWork) {
    if (!Files.isDirectory(pgWork)) {
      return List.of();
    }
    try (Stream<Path> children = Files.list(pgWork)) {
      return children.filter(Files::isDirectory).toList();
    } catch (IOException e) {
      return List.of();
    }
  }

  /**
   * The server of a data directory, from the first line of its {@code postmaster.pid}; checked to
   * be a running postgres, since the process id may have been reused since.
   */
  private static Optional<ProcessHandle> serverOf(Path dataDirectory) {
    Path pidFile = dataDirectory.resolve("postmaster.pid");
    try {
      List<String> lines = Files.readAllLines(pidFile, StandardCharsets.UTF_8);
      long pid = Long.parseLong(lines.get(0).trim());
      return ProcessHandle.of(pid)
          .filter(ProcessHandle::isAlive)
          .filter(p -> p.info().command().map(c -> c.endsWith("postgres")).orElse(false));
    } catch (IOException | RuntimeException e) {
      return Optional.empty(); // no pid file, or an unreadable one: no server runs there
    }
  }

  /** SIGTERM (PostgreSQL's smart shutdown; its clients are gone), SIGKILL after the grace. */
  private static long stop(ProcessHandle server) {
    server.destroy();
    try {
      server.onExit().get(GRACE.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException | ExecutionException e) {
      server.destroyForcibly();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      server.destroyForcibly();
    }
    return server.pid();
  }

  private static void deleteRecursively(Path root) {
    try (Stream<Path> paths = Files.walk(root)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException | RuntimeException ignored) {
      // Best effort: what is left is an unused directory, removed by the next run.
    }
  }
}
