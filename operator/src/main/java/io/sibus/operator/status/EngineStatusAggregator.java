package io.sibus.operator.status;

import io.sibus.crds.v1alpha1.FailoverRecord;
import io.sibus.crds.v1alpha1.MemberStatus;
import io.sibus.crds.v1alpha1.MessagingEngineStatus;
import io.sibus.crds.v1alpha1.TokenActionStatus;
import io.sibus.operator.policy.Decision;
import io.sibus.operator.policy.MemberView;
import java.time.Instant;
import java.util.List;

/**
 * Builds a MessagingEngine's status in one place, from the previous status and what this
 * reconciliation observed and decided. Pure.
 */
public final class EngineStatusAggregator {
  /** What the reconciliation knows. */
  public record Inputs(
      long generation,
      int wantedMembers,
      boolean started,
      boolean busFound,
      String problem,
      List<MemberView> members,
      Decision decision,
      boolean maintenance,
      TokenActionStatus recovery,
      TokenActionStatus restartAfterRestore,
      String observedClearGlobalError,
      String observedReenable,
      FailoverRecord lastFailover) {}

  private EngineStatusAggregator() {}

  public static MessagingEngineStatus aggregate(
      MessagingEngineStatus previous, Inputs in, Instant now) {
    MessagingEngineStatus s = new MessagingEngineStatus();
    s.setObservedGeneration(in.generation());
    s.setRecovery(in.recovery());
    s.setRestartAfterRestore(in.restartAfterRestore());
    s.setObservedClearGlobalErrorToken(in.observedClearGlobalError());
    s.setObservedReenableMembersToken(in.observedReenable());
    s.setLastFailover(in.lastFailover());
    in.members().forEach(m -> s.getMembers().add(memberStatus(m)));
    String active =
        in.members().stream()
            .filter(MemberView::serving)
            .map(MemberView::name)
            .findFirst()
            .orElse(null);
    s.setActiveMember(active);
    long ready = in.members().stream().filter(m -> m.alive() && m.ready()).count();
    s.setMembersReady(ready + "/" + in.wantedMembers());

    Decision d = in.decision();
    boolean global = d != null && d.kind() == Decision.Kind.SUPPRESS;
    boolean disabled =
        !in.members().isEmpty() && in.members().stream().allMatch(m -> m.reports("DISABLED"));
    s.setPhase(phase(in, active, global, disabled));

    Conditions c =
        new Conditions(previous == null ? null : previous.getConditions(), in.generation(), now);
    setReady(c, in, active, global);
    c.set(
        "HighlyAvailable",
        active != null && ready >= 2,
        "MembersReady",
        s.getMembersReady() + " members ready");
    setDataStoreReady(c, in, active, global, disabled);
    c.set(
        "GlobalError",
        global,
        global ? d.reason() : "None",
        global ? d.from() + ": " + d.detail() : null);
    c.set("FailoverSuppressed", global, global ? "GlobalError" : "None", null);
    setRestore(c, in);
    c.set("ReconciliationPaused", false, "NotPaused", null);
    s.setConditions(c.build());
    return s;
  }

  private static MemberStatus memberStatus(MemberView m) {
    return new MemberStatus(
        m.name(),
        m.report().state(),
        m.ready(),
        m.restarts(),
        m.lastExitCode() == null
            ? null
            : "exit "
                + m.lastExitCode()
                + (m.terminationCode() == null ? "" : " " + m.terminationCode()),
        m.report().lastErrorCode());
  }

  private static void setReady(Conditions c, Inputs in, String active, boolean global) {
    if (in.problem() != null) {
      c.set("Ready", false, "InvalidSpec", in.problem());
    } else if (active != null) {
      c.set("Ready", true, "ActiveMember", active + " is active");
    } else {
      Decision d = in.decision();
      c.set(
          "Ready",
          false,
          global ? "GlobalError" : in.started() ? "NoActiveMember" : "Stopped",
          d == null ? null : d.reason());
    }
  }

  private static void setDataStoreReady(
      Conditions c, Inputs in, String active, boolean global, boolean disabled) {
    boolean storeOk =
        active != null
            || in.members().stream().anyMatch(m -> m.reports("STANDBY") || m.reports("STOPPED"));
    c.set(
        "DataStoreReady",
        storeOk && !disabled && !global,
        disabled ? "MembersDisabled" : global ? "GlobalError" : storeOk ? "Reachable" : "Unknown",
        disabled ? "every member is disabled for high availability (SIBUS0039E)" : null);
  }

  /** The restart after restore asked for, and a restore the members detected. */
  private static void setRestore(Conditions c, Inputs in) {
    TokenActionStatus rar = in.restartAfterRestore();
    c.set(
        "RestartAfterRestore",
        rar != null && "Completed".equals(rar.getPhase()),
        rar == null ? "NotRequested" : rar.getPhase(),
        rar == null ? null : rar.getMessage());
    boolean restoreDetected = in.members().stream().anyMatch(m -> m.report().restoreDetected());
    c.set("RestoreDetected", restoreDetected, restoreDetected ? "StreamsBehind" : "None", null);
  }

  private static String phase(Inputs in, String active, boolean global, boolean disabled) {
    if (in.problem() != null) {
      return "Pending";
    }
    if (global) {
      return "GlobalError";
    }
    // initialState Stopped wins over a pending action: nothing runs until the engine is started
    // (a restore that was interrupted after setting its token waits for this phase to go on).
    if (!in.started()) {
      return "Stopped";
    }
    if (in.maintenance()) {
      return "Restoring";
    }
    if (disabled) {
      return "Disabled";
    }
    if (active == null) {
      return "Starting";
    }
    long ready = in.members().stream().filter(m -> m.alive() && m.ready()).count();
    return ready >= in.wantedMembers() ? "Running" : "Degraded";
  }

  /** The status of a paused engine: everything as it was, plus the paused condition. */
  public static MessagingEngineStatus paused(
      MessagingEngineStatus previous, long generation, Instant now) {
    MessagingEngineStatus s = previous == null ? new MessagingEngineStatus() : previous;
    Conditions c = new Conditions(s.getConditions(), generation, now);
    for (var existing : s.getConditions()) {
      if (!existing.getType().equals("ReconciliationPaused")) {
        c.set(
            existing.getType(),
            "True".equals(existing.getStatus()),
            existing.getReason(),
            existing.getMessage());
      }
    }
    c.set("ReconciliationPaused", true, "Paused", "sibus.io/pause-reconciliation is true");
    s.setConditions(c.build());
    s.setPhase("Paused");
    return s;
  }
}
