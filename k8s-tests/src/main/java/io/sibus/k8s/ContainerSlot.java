package io.sibus.k8s;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerState;
import io.fabric8.kubernetes.api.model.ContainerStateBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Probe;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One container of a pod through its life, as a kubelet keeps it: started, probed (startup, then
 * liveness and readiness), ended with an exit code and termination message, restarted by the pod's
 * restart policy with a growing back-off. The back-off starts at 1 s and stops growing at 20 s (a
 * kubelet's: 10 s to 5 min), so that tests of crash loops finish in minutes.
 */
final class ContainerSlot {
  private static final Logger LOG = LoggerFactory.getLogger(ContainerSlot.class);
  private static final Duration FIRST_BACKOFF = Duration.ofSeconds(1);
  private static final Duration MAX_BACKOFF = Duration.ofSeconds(20);
  private static final Duration BACKOFF_RESET = Duration.ofSeconds(60);
  private static final int MESSAGE_LIMIT = 4096;

  private final Container spec;
  private final String podName;
  private final String restartPolicy;
  private final Duration grace;
  private LocalContainer running;
  private Instant startedAt;
  private boolean started;
  private boolean ready;
  private int restarts;
  private int startupFailures;
  private int livenessFailures;
  private int readinessFailures;
  private Instant nextStartupProbe;
  private Instant nextLivenessProbe;
  private Instant nextReadinessProbe;
  private Duration backoff = Duration.ZERO;
  private Instant notBefore = Instant.MIN;
  private String waitingReason = "ContainerCreating";
  private String waitingMessage;
  private ContainerState lastTerminated;
  private boolean finished;

  ContainerSlot(Container spec, String podName, String restartPolicy, Duration grace) {
    this.spec = spec;
    this.podName = podName;
    this.restartPolicy = restartPolicy == null ? "Always" : restartPolicy;
    this.grace = grace;
  }

  String name() {
    return spec.getName();
  }

  Container spec() {
    return spec;
  }

  boolean ready() {
    return running != null && ready;
  }

  boolean runningNow() {
    return running != null;
  }

  boolean finished() {
    return finished;
  }

  boolean failed() {
    return finished && lastTerminated != null && lastTerminated.getTerminated().getExitCode() != 0;
  }

  int restarts() {
    return restarts;
  }

  long pid() {
    return running == null ? -1 : running.pid();
  }

  /** One step: start when due, notice an exit, run the probes that are due. */
  void tick(Supplier<LocalContainer> launcher, String podIp, Path terminationMessageFile) {
    Instant now = Instant.now();
    if (finished) {
      return;
    }
    if (running == null) {
      if (now.isAfter(notBefore)) {
        start(launcher, now);
      }
      return;
    }
    if (!running.alive()) {
      ended(now, running.exitCode(), terminationMessageFile);
      return;
    }
    probe(podIp, now);
  }

  private void start(Supplier<LocalContainer> launcher, Instant now) {
    try {
      running = launcher.get();
      startedAt = now;
      started = spec.getStartupProbe() == null;
      ready = false;
      startupFailures = livenessFailures = readinessFailures = 0;
      nextStartupProbe = firstProbe(spec.getStartupProbe(), now);
      nextLivenessProbe = firstProbe(spec.getLivenessProbe(), now);
      nextReadinessProbe = firstProbe(spec.getReadinessProbe(), now);
      waitingReason = null;
      waitingMessage = null;
    } catch (PodStartException e) {
      waitingReason = e.reason();
      waitingMessage = e.getMessage();
      notBefore = now.plusSeconds(2);
      LOG.warn("pod {} container {}: {}: {}", podName, name(), e.reason(), e.getMessage());
    } catch (RuntimeException e) {
      waitingReason = "RunContainerError";
      waitingMessage = String.valueOf(e.getMessage());
      notBefore = now.plusSeconds(2);
      LOG.warn("pod {} container {} did not start", podName, name(), e);
    }
  }

  private void ended(Instant now, Integer exitCode, Path terminationMessageFile) {
    int code = exitCode == null ? 137 : exitCode;
    lastTerminated =
        new ContainerStateBuilder()
            .withNewTerminated()
            .withExitCode(code)
            .withReason(code == 0 ? "Completed" : "Error")
            .withMessage(terminationMessage(terminationMessageFile))
            .withStartedAt(startedAt.toString())
            .withFinishedAt(now.toString())
            .withContainerID(containerId(running))
            .endTerminated()
            .build();
    LOG.info("pod {} container {} exited with {}", podName, name(), code);
    boolean ranLong = Duration.between(startedAt, now).compareTo(BACKOFF_RESET) > 0;
    running = null;
    ready = false;
    if (restartPolicy.equals("Never") || (restartPolicy.equals("OnFailure") && code == 0)) {
      finished = true;
      return;
    }
    restarts++;
    backoff =
        ranLong || backoff.isZero() ? FIRST_BACKOFF : min(backoff.multipliedBy(2), MAX_BACKOFF);
    notBefore = now.plus(backoff);
    waitingReason = "CrashLoopBackOff";
    waitingMessage =
        "back-off "
            + backoff.toSeconds()
            + "s restarting failed container="
            + name()
            + " pod="
            + podName;
  }

  private void probe(String podIp, Instant now) {
    if (!started) {
      Probe startup = spec.getStartupProbe();
      if (now.isBefore(nextStartupProbe)) {
        return;
      }
      nextStartupProbe = now.plusSeconds(ProbeCheck.value(startup.getPeriodSeconds(), 10));
      if (ProbeCheck.passes(startup, spec, podIp)) {
        started = true;
      } else if (++startupFailures >= ProbeCheck.value(startup.getFailureThreshold(), 3)) {
        LOG.warn("pod {} container {} failed its startup probe; killing it", podName, name());
        running.terminate(grace);
      }
      return;
    }
    Probe liveness = spec.getLivenessProbe();
    if (liveness != null && !now.isBefore(nextLivenessProbe)) {
      nextLivenessProbe = now.plusSeconds(ProbeCheck.value(liveness.getPeriodSeconds(), 10));
      if (ProbeCheck.passes(liveness, spec, podIp)) {
        livenessFailures = 0;
      } else if (++livenessFailures >= ProbeCheck.value(liveness.getFailureThreshold(), 3)) {
        LOG.warn("pod {} container {} failed its liveness probe; killing it", podName, name());
        running.terminate(grace);
        return;
      }
    }
    Probe readiness = spec.getReadinessProbe();
    if (readiness == null) {
      ready = true;
    } else if (!now.isBefore(nextReadinessProbe)) {
      nextReadinessProbe = now.plusSeconds(ProbeCheck.value(readiness.getPeriodSeconds(), 10));
      if (ProbeCheck.passes(readiness, spec, podIp)) {
        readinessFailures = 0;
        ready = true;
      } else if (++readinessFailures >= ProbeCheck.value(readiness.getFailureThreshold(), 3)
          || !ready) {
        ready = false;
      }
    }
  }

  /** Ends the container: SIGTERM, the grace period, SIGKILL. */
  void stop(Duration gracePeriod) {
    if (running != null) {
      running.terminate(gracePeriod);
    }
  }

  /** kill -9 of the container's process; it is restarted by the restart policy. */
  void kill() {
    if (running != null) {
      running.kill();
    }
  }

  ContainerStatus status(String image) {
    ContainerState state;
    if (running != null) {
      state =
          new ContainerStateBuilder()
              .withNewRunning()
              .withStartedAt(startedAt.toString())
              .endRunning()
              .build();
    } else if (finished) {
      state = lastTerminated;
    } else {
      state =
          new ContainerStateBuilder()
              .withNewWaiting()
              .withReason(waitingReason)
              .withMessage(waitingMessage)
              .endWaiting()
              .build();
    }
    return new ContainerStatusBuilder()
        .withName(name())
        .withImage(image)
        .withImageID(image)
        .withContainerID(running == null ? null : containerId(running))
        .withReady(ready())
        .withStarted(running != null && started)
        .withRestartCount(restarts)
        .withState(state)
        .withLastState(finished || lastTerminated == null ? new ContainerState() : lastTerminated)
        .build();
  }

  private static String containerId(LocalContainer container) {
    return "local://" + container.pid();
  }

  private static Instant firstProbe(Probe probe, Instant now) {
    return probe == null
        ? now
        : now.plusSeconds(ProbeCheck.value(probe.getInitialDelaySeconds(), 0));
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) < 0 ? a : b;
  }

  private static String terminationMessage(Path file) {
    try {
      if (!Files.exists(file)) {
        return null;
      }
      String text = Files.readString(file, StandardCharsets.UTF_8);
      return text.length() > MESSAGE_LIMIT ? text.substring(0, MESSAGE_LIMIT) : text;
    } catch (IOException e) {
      return null;
    }
  }
}
