package io.sibus.cli;

import io.sibus.local.MemberProcess;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code sibus up}: a bus on this machine, standalone for now (no Kubernetes yet): an embedded
 * PostgreSQL and the two members of engine me1 with the queue orders, until Ctrl-C or SIGTERM.
 */
@Command(
    name = "up",
    mixinStandardHelpOptions = true,
    description = {
      "Runs a sample bus on this machine until Ctrl-C or SIGTERM: an embedded PostgreSQL and"
          + " engine me1 of bus demo as two member processes, with the queue orders.",
      "Prints 'engine me1: <member URLs>' once a member is active, then examples to send and"
          + " receive. Files (bus config, member logs) go to .sibus/up/ under the current"
          + " directory and are kept.",
      "On stop the members get SIGTERM (SIGKILL after 10 s), then PostgreSQL is stopped and its"
          + " data directory removed."
    })
final class UpCommand implements Callable<Integer> {
  private static final long WATCH_MILLIS = 1000;

  private final AtomicBoolean stopping = new AtomicBoolean();

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--start-timeout",
      paramLabel = "SECONDS",
      defaultValue = "180",
      description = "How long to wait for a member to become active (default ${DEFAULT-VALUE}).")
  long startTimeoutSeconds;

  @Override
  public Integer call() {
    if (startTimeoutSeconds < 1) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "--start-timeout must be at least 1");
    }
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Path jar = EngineJar.locate();
    Path work = Path.of(".sibus", "up").toAbsolutePath();
    UpLock.acquire(work);
    LocalBus bus = new LocalBus(work, jar);
    // Registered before anything starts, so that Ctrl-C at any point leaves no process behind.
    Runtime.getRuntime().addShutdownHook(new Thread(() -> stop(bus, out, err), "sibus-up-stop"));
    try {
      bus.start(out);
      MemberProcess active = MemberStates.awaitActive(bus, Duration.ofSeconds(startTimeoutSeconds));
      if (active == null) {
        return 0; // stopped by a signal while starting; the shutdown hook does the rest
      }
      UpReport.print(out, bus, active);
      watch(bus, out);
      return 0;
    } catch (RuntimeException e) {
      boolean signalled = stopping.get();
      stop(bus, out, err);
      if (signalled) {
        return 0; // a start cut short by Ctrl-C or SIGTERM fails as a consequence: not news
      }
      throw e;
    }
  }

  /**
   * Reports members that exit while the bus runs; fails once none is left, since then there is no
   * engine to talk to. Returns when the bus is being stopped.
   */
  private static void watch(LocalBus bus, PrintWriter out) {
    Set<String> reported = new HashSet<>();
    while (!bus.stopped()) {
      List<MemberProcess> members = bus.members();
      for (MemberProcess member : members) {
        Integer exit = member.alive() ? null : member.waitFor(Duration.ZERO);
        if (exit != null && !bus.stopped() && reported.add(member.name())) {
          out.println(
              "member "
                  + member.name()
                  + " exited with code "
                  + exit
                  + " (log "
                  + member.logFile()
                  + ")");
          out.flush();
        }
      }
      if (!bus.stopped() && members.stream().noneMatch(MemberProcess::alive)) {
        throw new CommandFailure(
            "every member of engine "
                + LocalBus.ENGINE
                + " exited; see "
                + MemberStates.logs(members));
      }
      try {
        Thread.sleep(WATCH_MILLIS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /**
   * Stops the bus once; a second caller (the shutdown hook while a failed start stops it, or the
   * other way round) waits until it is stopped, since the JVM ends when the hook returns.
   */
  private void stop(LocalBus bus, PrintWriter out, PrintWriter err) {
    boolean first = stopping.compareAndSet(false, true);
    if (first) {
      out.println("stopping the members of engine " + LocalBus.ENGINE + " and PostgreSQL");
      out.flush();
    }
    try {
      bus.stop();
      if (first) {
        out.println("stopped");
      }
    } catch (RuntimeException e) {
      // Also runs in the shutdown hook, where an exception would only be a stack trace.
      err.println("could not stop cleanly: " + e);
      err.flush();
    }
    out.flush();
  }
}
