package io.sibus.operator.policy;

import io.sibus.crds.v1alpha1.MemberStatus;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Sequences what a person asks of an engine, the seeds' runbook automated: initial state Stopped or
 * Started; a recovery start; a restart after restore (after the recovery when both are asked for:
 * recovery, wait until stopped, then the flush start); lifting a global error; re-enabling disabled
 * members. Pure: every call computes the next steps from what is observed, so a restarted operator
 * picks up where the last one left off.
 */
public final class Maintenance {
  private Maintenance() {}

  /**
   * @param recoveryPhase the recorded phase of the last recovery (null when none)
   * @param restorePhase the recorded phase of the last restart after restore (null when none)
   * @param target the member a running action was started on (its message), or null
   */
  public static MaintenancePlan plan(
      boolean started,
      Tokens tokens,
      String recoveryPhase,
      String restorePhase,
      String target,
      List<MemberView> members) {
    MaintenancePlan plan = new MaintenancePlan();
    if (tokens.newRecovery()) {
      recoveryPhase = "Pending";
      plan.recovery =
          new MaintenancePlan.Phase(tokens.recovery(), "Pending", "waiting to stop the engine");
    }
    if (tokens.newRestartAfterRestore()) {
      restorePhase = "Pending";
      plan.restartAfterRestore =
          new MaintenancePlan.Phase(
              tokens.restartAfterRestore(), "Pending", "waiting to stop the engine");
    }
    restartMembers(tokens, members, plan);
    boolean recovering = "Pending".equals(recoveryPhase) || "Recovering".equals(recoveryPhase);
    boolean restoring = "Pending".equals(restorePhase) || "Flushing".equals(restorePhase);
    plan.inProgress = recovering || restoring;
    if (!started) {
      stopAll(members, plan);
      return plan;
    }
    if (recovering) {
      recovery(tokens, recoveryPhase, target, members, plan);
    } else if (restoring) {
      restore(tokens, restorePhase, target, members, plan);
    } else {
      members.stream()
          .filter(m -> m.alive() && m.reports("STOPPED"))
          .forEach(m -> plan.calls.add(MaintenancePlan.Call.start(m.name(), "NORMAL")));
    }
    plan.serving = serving(members, plan);
    return plan;
  }

  /**
   * A new clear-global-error token lifts the suppression and starts the members stopped by a global
   * error; a new reenable-members token starts the disabled ones. Each token is recorded as
   * observed.
   */
  private static void restartMembers(
      Tokens tokens, List<MemberView> members, MaintenancePlan plan) {
    if (tokens.newClearGlobalError()) {
      plan.clearedGlobalErrorToken = tokens.clearGlobalError();
      plan.liftSuppression = true;
      for (MemberView m : members) {
        if (m.alive() && (m.reports("GLOBAL_ERROR") || m.report().failoverSuppressed())) {
          plan.calls.add(MaintenancePlan.Call.start(m.name(), "NORMAL"));
        }
      }
    }
    if (tokens.newReenableMembers()) {
      plan.reenabledToken = tokens.reenableMembers();
      members.stream()
          .filter(m -> m.alive() && m.reports("DISABLED"))
          .forEach(m -> plan.calls.add(MaintenancePlan.Call.start(m.name(), "NORMAL")));
    }
  }

  /**
   * The member the Service must lead to while failover decisions wait: the one serving, unless it
   * is being stopped. A restart after restore may start another member than the one that was
   * active, and the other engines reach it for their flushes through the Service only.
   */
  private static String serving(List<MemberView> members, MaintenancePlan plan) {
    return members.stream()
        .filter(MemberView::serving)
        .filter(m -> !plan.calls.contains(MaintenancePlan.Call.stop(m.name())))
        .map(MemberView::name)
        .findFirst()
        .orElse(null);
  }

  private static void recovery(
      Tokens tokens, String phase, String target, List<MemberView> members, MaintenancePlan plan) {
    if ("Pending".equals(phase)) {
      startOnOneWhenAllStopped(members, plan, "RECOVERY")
          .ifPresent(
              member ->
                  plan.recovery =
                      new MaintenancePlan.Phase(tokens.recovery(), "Recovering", member));
      return;
    }
    MemberView m = find(members, target);
    if (m == null || !m.alive()) {
      plan.recovery = startAgain(tokens.recovery(), target, "is gone");
    } else if (m.reports("STOPPED") && "RECOVERY".equals(m.report().startMode())) {
      plan.recovery = new MaintenancePlan.Phase(tokens.recovery(), "Completed", target);
    } else if (m.reports("STOPPED")) {
      // Stopped without having started in recovery mode: the start call did not reach it.
      plan.recovery = startAgain(tokens.recovery(), target, "did not start its recovery");
    } else if (m.reports("GLOBAL_ERROR")) {
      plan.recovery = new MaintenancePlan.Phase(tokens.recovery(), "Failed", failure(m));
    }
  }

  private static void restore(
      Tokens tokens, String phase, String target, List<MemberView> members, MaintenancePlan plan) {
    if ("Pending".equals(phase)) {
      startOnOneWhenAllStopped(members, plan, "RESTART_AFTER_RESTORE")
          .ifPresent(
              member ->
                  plan.restartAfterRestore =
                      new MaintenancePlan.Phase(tokens.restartAfterRestore(), "Flushing", member));
      return;
    }
    MemberView m = find(members, target);
    if (m == null || !m.alive()) {
      plan.restartAfterRestore = startAgain(tokens.restartAfterRestore(), target, "is gone");
    } else if (m.reports("STOPPED")) {
      // The start did not take (the call did not reach the member), or the member was stopped
      // before its flush completed: start it again.
      plan.restartAfterRestore =
          startAgain(tokens.restartAfterRestore(), target, "stopped before its flush completed");
    } else if (m.reports("ACTIVE")
        && "RESTART_AFTER_RESTORE".equals(m.report().startMode())
        && m.report().flushCompleted()) {
      plan.restartAfterRestore =
          new MaintenancePlan.Phase(tokens.restartAfterRestore(), "Completed", target);
    } else if (m.reports("GLOBAL_ERROR") || m.reports("DISABLED")) {
      plan.restartAfterRestore =
          new MaintenancePlan.Phase(tokens.restartAfterRestore(), "Failed", failure(m));
    }
  }

  /** Stops every running member; once all are down, starts the healthiest one in {@code mode}. */
  private static Optional<String> startOnOneWhenAllStopped(
      List<MemberView> members, MaintenancePlan plan, String mode) {
    if (!stopAll(members, plan)) {
      return Optional.empty();
    }
    Optional<MemberView> target =
        members.stream()
            .filter(m -> m.alive() && m.reports("STOPPED"))
            .min(Comparator.comparingInt(MemberView::restarts).thenComparing(MemberView::name));
    target.ifPresent(
        m -> {
          plan.leaseHolder = m.name();
          plan.calls.add(MaintenancePlan.Call.start(m.name(), mode));
        });
    return target.map(MemberView::name);
  }

  /** Asks every running member to stop; true when all are already down. */
  private static boolean stopAll(List<MemberView> members, MaintenancePlan plan) {
    boolean allDown = true;
    for (MemberView m : members) {
      if (m.alive() && !MemberStatus.DOWN_STATES.contains(m.report().state())) {
        plan.calls.add(MaintenancePlan.Call.stop(m.name()));
        allDown = false;
      }
    }
    return allDown;
  }

  /** Back to Pending: the next pass stops what runs and starts the action on a member again. */
  private static MaintenancePlan.Phase startAgain(String token, String target, String why) {
    return new MaintenancePlan.Phase(
        token, "Pending", "member " + target + " " + why + "; starting again");
  }

  private static MemberView find(List<MemberView> members, String name) {
    return members.stream().filter(m -> m.name().equals(name)).findFirst().orElse(null);
  }

  private static String failure(MemberView m) {
    String code = m.report().lastErrorCode();
    String message = m.report().lastErrorMessage();
    return m.name()
        + " is "
        + m.report().state()
        + (code == null ? "" : ": " + code + " " + message);
  }
}
