package io.sibus.operator.reconciler;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.sibus.crds.v1alpha1.FailoverRecord;
import io.sibus.crds.v1alpha1.MessagingEngine;
import io.sibus.crds.v1alpha1.MessagingEngineStatus;
import io.sibus.crds.v1alpha1.TokenActionStatus;
import io.sibus.operator.admin.EngineAdmin;
import io.sibus.operator.kube.EventRecorder;
import io.sibus.operator.policy.Decision;
import io.sibus.operator.policy.Maintenance;
import io.sibus.operator.policy.MaintenancePlan;
import io.sibus.operator.policy.MemberView;
import io.sibus.operator.policy.Tokens;
import io.sibus.operator.status.EngineStatusAggregator;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/** Carries out what the policies decided for an engine, and remembers what the status records. */
@ApplicationScoped
public class EngineActions {
  private final EngineAdmin admin;
  private final EngineLeases leases;
  private final MemberPodSet pods;
  private final EventRecorder events;

  public EngineActions(
      EngineAdmin admin, EngineLeases leases, MemberPodSet pods, EventRecorder events) {
    this.admin = admin;
    this.leases = leases;
    this.pods = pods;
    this.events = events;
  }

  MaintenancePlan plan(MessagingEngine me, boolean started, List<MemberView> members) {
    MessagingEngineStatus status =
        me.getStatus() == null ? new MessagingEngineStatus() : me.getStatus();
    TokenActionStatus recovery = status.getRecovery();
    TokenActionStatus restore = status.getRestartAfterRestore();
    Tokens tokens =
        new Tokens(
            MessagingEngineReconciler.annotation(me, MessagingEngine.RESTART_AFTER_RESTORE),
            restore == null ? null : restore.getObservedToken(),
            MessagingEngineReconciler.annotation(me, MessagingEngine.RECOVERY),
            recovery == null ? null : recovery.getObservedToken(),
            MessagingEngineReconciler.annotation(me, MessagingEngine.CLEAR_GLOBAL_ERROR),
            status.getObservedClearGlobalErrorToken(),
            MessagingEngineReconciler.annotation(me, MessagingEngine.REENABLE_MEMBERS),
            status.getObservedReenableMembersToken());
    boolean recoveryActive = recovery != null && "Recovering".equals(recovery.getPhase());
    String target =
        recoveryActive ? recovery.getMessage() : restore == null ? null : restore.getMessage();
    return Maintenance.plan(
        started,
        tokens,
        recovery == null ? null : recovery.getPhase(),
        restore == null ? null : restore.getPhase(),
        target,
        members);
  }

  /** Lease changes, then admin calls: the maintenance steps of this reconciliation. */
  void carryOut(MessagingEngine me, MaintenancePlan plan, Lease lease, List<MemberView> members) {
    if (plan.liftSuppression()) {
      leases.lift(lease);
      events.normal(
          me, "GlobalErrorCleared", "sibus.io/clear-global-error: failover allowed again");
    }
    if (plan.leaseHolder() != null && !plan.leaseHolder().equals(EngineLeases.holder(lease))) {
      leases.handTo(lease, plan.leaseHolder());
    }
    for (MaintenancePlan.Call call : plan.calls()) {
      MemberView member =
          members.stream().filter(m -> m.name().equals(call.member())).findFirst().orElse(null);
      if (member == null || member.url() == null) {
        continue;
      }
      if ("stop".equals(call.action())) {
        admin.stop(member.url());
      } else {
        admin.start(member.url(), call.mode());
      }
    }
    if (plan.reenabledToken() != null) {
      events.normal(
          me, "MembersReenabled", "sibus.io/reenable-members: disabled members start again");
    }
  }

  /**
   * The failover decision: Lease, role labels, suppression, events; without one (a maintenance
   * action runs, or the engine is stopped) only the role label of the member the plan serves from.
   * Returns the new failover record when this decision started or completed one, else null.
   */
  FailoverRecord apply(
      MessagingEngine me, Decision decision, MaintenancePlan plan, Lease lease, List<Pod> current) {
    if (decision == null) {
      if (plan.serving() != null) {
        pods.label(current, plan.serving());
      }
      return null;
    }
    return switch (decision.kind()) {
      case KEEP -> keep(me, decision, current);
      case FAIL_OVER -> failOver(me, decision, lease, current);
      case SUPPRESS -> {
        suppress(me, decision, lease, current);
        yield null;
      }
      case WAIT -> null;
    };
  }

  /** The active member stays; the failover that made it active, if pending, is completed. */
  private FailoverRecord keep(MessagingEngine me, Decision decision, List<Pod> current) {
    pods.label(current, decision.to());
    FailoverRecord pending = pendingFailover(me);
    if (pending == null || !Objects.equals(pending.getTo(), decision.to())) {
      return null;
    }
    Instant started = Instant.parse(pending.getStartedAt());
    Instant now = Instant.now();
    FailoverRecord completed =
        new FailoverRecord(
            pending.getFrom(),
            pending.getTo(),
            pending.getReason(),
            pending.getStartedAt(),
            now.toString(),
            Duration.between(started, now).toMillis());
    events.normal(
        me,
        "FailoverCompleted",
        decision.to()
            + " is active, "
            + completed.getDurationMs()
            + " ms after "
            + pending.getFrom()
            + " went ("
            + pending.getReason()
            + ")");
    return completed;
  }

  /**
   * The Lease goes to the next member; a failover is recorded as started when the Lease was handed
   * over from a member that went.
   */
  private FailoverRecord failOver(
      MessagingEngine me, Decision decision, Lease lease, List<Pod> current) {
    pods.label(current, null);
    if (!leases.handTo(lease, decision.to()) || decision.from() == null) {
      return null;
    }
    events.warning(
        me,
        "FailoverStarted",
        decision.from()
            + " is out ("
            + decision.reason()
            + (decision.detail() == null ? "" : " " + decision.detail())
            + "); "
            + decision.to()
            + " takes over");
    return new FailoverRecord(
        decision.from(), decision.to(), decision.reason(), Instant.now().toString(), null, null);
  }

  /** A global error: no member is activated; the Lease is marked and the events told once. */
  private void suppress(MessagingEngine me, Decision decision, Lease lease, List<Pod> current) {
    pods.label(current, null);
    if (EngineLeases.suppressed(lease)) {
      return;
    }
    leases.suppress(lease, decision.detail() == null ? decision.reason() : decision.detail());
    // Once per global error: the Lease mark is what remembers that it was announced.
    events.warning(
        me, "GlobalError", decision.from() + " stopped processing after " + decision.detail());
    events.warning(
        me,
        "FailoverSuppressed",
        "global error on "
            + decision.from()
            + " ("
            + decision.detail()
            + "): no member is activated until sibus.io/clear-global-error is set");
  }

  private static FailoverRecord pendingFailover(MessagingEngine me) {
    FailoverRecord last = me.getStatus() == null ? null : me.getStatus().getLastFailover();
    return last != null && last.getCompletedAt() == null ? last : null;
  }

  EngineStatusAggregator.Inputs inputs(
      MessagingEngine me,
      String problem,
      List<MemberView> members,
      Decision decision,
      MaintenancePlan plan,
      boolean started,
      FailoverRecord failover) {
    MessagingEngineStatus status =
        me.getStatus() == null ? new MessagingEngineStatus() : me.getStatus();
    FailoverRecord last = failover != null ? failover : status.getLastFailover();
    TokenActionStatus recovery = status.getRecovery();
    TokenActionStatus restore = status.getRestartAfterRestore();
    String cleared = status.getObservedClearGlobalErrorToken();
    String reenabled = status.getObservedReenableMembersToken();
    boolean maintenance = false;
    if (plan != null) {
      recovery = phase(plan.recovery(), recovery);
      restore = phase(plan.restartAfterRestore(), restore);
      cleared = plan.clearedGlobalErrorToken() != null ? plan.clearedGlobalErrorToken() : cleared;
      reenabled = plan.reenabledToken() != null ? plan.reenabledToken() : reenabled;
      maintenance = plan.inProgress();
    }
    int wanted =
        me.getSpec() == null || me.getSpec().getMembers() == null ? 2 : me.getSpec().getMembers();
    return new EngineStatusAggregator.Inputs(
        me.getMetadata().getGeneration() == null ? 0 : me.getMetadata().getGeneration(),
        wanted,
        started,
        problem == null,
        problem,
        members,
        decision,
        maintenance,
        recovery,
        restore,
        cleared,
        reenabled,
        last);
  }

  private static TokenActionStatus phase(MaintenancePlan.Phase phase, TokenActionStatus previous) {
    return phase == null
        ? previous
        : new TokenActionStatus(phase.token(), phase.phase(), phase.message());
  }

  /** Events for what changed between two statuses (token actions moving on). */
  void announce(MessagingEngine me, MessagingEngineStatus before, MessagingEngineStatus after) {
    announce(
        me,
        "RestartAfterRestore",
        before == null ? null : before.getRestartAfterRestore(),
        after.getRestartAfterRestore());
    announce(me, "Recovery", before == null ? null : before.getRecovery(), after.getRecovery());
  }

  private void announce(
      MessagingEngine me, String action, TokenActionStatus before, TokenActionStatus after) {
    if (after == null
        || (before != null
            && Objects.equals(before.getPhase(), after.getPhase())
            && Objects.equals(before.getObservedToken(), after.getObservedToken()))) {
      return;
    }
    switch (after.getPhase()) {
      case "Completed" ->
          events.normal(me, action + "Completed", action + " completed on " + after.getMessage());
      case "Failed" -> events.warning(me, action + "Failed", after.getMessage());
      default -> events.normal(me, action + after.getPhase(), String.valueOf(after.getMessage()));
    }
  }
}
