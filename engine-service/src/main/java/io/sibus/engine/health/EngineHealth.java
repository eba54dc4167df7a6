package io.sibus.engine.health;

import io.sibus.engine.config.SibusConfig;
import io.sibus.engine.lifecycle.EngineState;
import io.sibus.engine.lifecycle.MemberStatus;
import io.smallrye.health.api.HealthGroup;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Collectors;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Liveness;
import org.eclipse.microprofile.health.Readiness;
import org.eclipse.microprofile.health.Startup;

/**
 * The member's probes. Liveness fails only for what the engine cannot see in itself (a JVM
 * deadlock, a loop that has work and makes no progress): a global error keeps it UP, so that the
 * member is not restarted into the same fault. Readiness means "this member serves the engine":
 * active and its store reachable. The {@code member} group (used as the pod readiness probe on
 * Kubernetes, where the Service routes by role label) means "this member is fit to serve or to take
 * over": every state but DISABLED and GLOBAL_ERROR.
 */
@ApplicationScoped
public class EngineHealth {
  private final MemberStatus status;
  private final LoopMonitor loops;
  private final SibusConfig config;
  private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();

  public EngineHealth(MemberStatus status, LoopMonitor loops, SibusConfig config) {
    this.status = status;
    this.loops = loops;
    this.config = config;
  }

  @Produces
  @Liveness
  HealthCheck liveness() {
    return () -> {
      HealthCheckResponseBuilder response = named("sibus-engine-liveness");
      long[] deadlocked = threads.findDeadlockedThreads();
      if (deadlocked != null) {
        return response.down().withData("deadlock", describe(deadlocked)).build();
      }
      Optional<String> stalled = loops.stalled(config.engine().livenessStallTimeout());
      if (stalled.isPresent()) {
        return response.down().withData("stalled", stalled.get()).build();
      }
      return response.up().build();
    };
  }

  @Produces
  @Readiness
  HealthCheck readiness() {
    return () -> {
      boolean serving = status.state() == EngineState.ACTIVE && status.storeAvailable();
      return named("sibus-engine-readiness").status(serving).build();
    };
  }

  @Produces
  @Startup
  HealthCheck startup() {
    return () -> named("sibus-engine-started").status(status.started()).build();
  }

  @Produces
  @HealthGroup("member")
  HealthCheck member() {
    return () -> {
      EngineState state = status.state();
      boolean fit =
          state != EngineState.DISABLED
              && state != EngineState.GLOBAL_ERROR
              && !(state == EngineState.ACTIVE && !status.storeAvailable());
      return named("sibus-member").status(fit).build();
    };
  }

  private HealthCheckResponseBuilder named(String name) {
    return HealthCheckResponse.named(name)
        .withData("state", status.state().name())
        .withData("activeMember", String.valueOf(status.activeMember()));
  }

  private String describe(long[] ids) {
    return Arrays.stream(threads.getThreadInfo(ids))
        .filter(java.util.Objects::nonNull)
        .map(ThreadInfo::getThreadName)
        .collect(Collectors.joining(", "));
  }
}
