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
 * {@code sibus up}: the whole system on this machine until Ctrl-C or SIGTERM, on the local cluster
 * ({@link ClusterUp}); with {@code --standalone}, only an embedded PostgreSQL and the two members
 * of engine me1, without Kubernetes.
 */
@Command(
    name = "up",
    mixinStandardHelpOptions = true,
    description = {
      "Runs sibus on this machine until Ctrl-C or SIGTERM: a local Kubernetes API (prints"
          + " 'kubeconfig: <path>'), a pod runner, two operator replicas installed from"
          + " deploy/base, and the sample bus of deploy/samples (engines me1 and me2 with two"
          + " members each, queues orders and shipments, PostgreSQL as a pod).",
      "Prints 'engine <name>: <Service URL>' per engine once every engine is Ready, then commands"
          + " to try. Files (kubeconfig, pod logs, database) go to .sibus/up/cluster under the"
          + " current directory, and are replaced by the next run.",
      "With --standalone: an embedded PostgreSQL and engine me1 as two member processes, without"
          + " Kubernetes; prints 'engine me1: <member URLs>'.",
      "On stop every process gets SIGTERM (SIGKILL after 10 s); none is left behind."
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

  @Option(
      names = "--standalone",
      description = "Only PostgreSQL and the members of one engine, without Kubernetes.")
  boolean standalone;

  @Override
  public Integer call() {
    if (startTimeoutSeconds < 1) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "--start-timeout must be at least 1");
    }
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    return standalone ? standalone(out, err) : onLocalCluster(out, err);
  }

  private Integer onLocalCluster(PrintWriter out, PrintWriter err) {
    Path home = Path.of(System.getProperty("sibus.home", "")).toAbsolutePath();
    ClusterUp.requireJars(home);
    Path work = Path.of(".sibus", "up").toAbsolutePath();
    UpLock.acquire(work);
    ClusterUp up = new ClusterUp(home, work, out);
    Runnable stop =
        () -> {
          if (stopping.compareAndSet(false, true)) {
            out.println("stopping every pod, the controllers and the API server");
            out.flush();
          }
          try {
            up.stop();
            out.println("stopped");
            out.flush();
          } catch (RuntimeException e) {
            err.println("could not stop cleanly: " + e);
            err.flush();
          }
        };
    Runtime.getRuntime().addShutdownHook(new Thread(stop, "sibus-up-stop"));
    try {
      up.start(Duration.ofSeconds(startTimeoutSeconds));
      up.watch();
      return 0;
    } catch (RuntimeException e) {
      boolean signalled = stopping.get();
      stop.run();
      if (signalled) {
        return 0;
      }
      throw e;
    }
  }

  private Integer standalone(PrintWriter out, PrintWriter err) {
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
