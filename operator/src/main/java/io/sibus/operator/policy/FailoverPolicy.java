package io.sibus.operator.policy;

import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Decides who serves an engine. Pure: the inputs are the observed members and the Lease; the output
 * is a {@link Decision}. Global errors suppress failover (failing over would only spread the
 * damage); otherwise a member that is known dead loses the Lease at once to the healthiest standby.
 */
public final class FailoverPolicy {
  private static final Comparator<MemberView> HEALTHIEST =
      Comparator.comparingInt(MemberView::restarts).thenComparing(MemberView::name);

  private FailoverPolicy() {}

  /**
   * @param leaseHolder the member named in the Lease, or null
   * @param leaseSuppressed the Lease carries the failover-suppressed annotation
   */
  public static Decision decide(
      List<MemberView> members, String leaseHolder, boolean leaseSuppressed) {
    List<String> disabled =
        members.stream().filter(m -> m.reports("DISABLED")).map(MemberView::name).toList();
    Optional<MemberView> global = members.stream().filter(FailoverPolicy::globalError).findFirst();
    if (global.isPresent()) {
      MemberView m = global.get();
      String code = m.reports("GLOBAL_ERROR") ? m.report().lastErrorCode() : m.terminationCode();
      return Decision.suppress(m.name(), "GlobalError", code, disabled);
    }
    if (leaseSuppressed) {
      return Decision.suppress(
          leaseHolder, "GlobalError", "the Lease is marked failover-suppressed", disabled);
    }
    Optional<MemberView> active = members.stream().filter(MemberView::serving).findFirst();
    if (active.isPresent()) {
      return Decision.keep(active.get().name(), disabled);
    }
    MemberView holder =
        leaseHolder == null
            ? null
            : members.stream()
                .filter(m -> m.name().equals(leaseHolder))
                .findFirst()
                .orElse(MemberView.gone(leaseHolder));
    if (holder != null && holder.alive() && !holder.reports("DISABLED")) {
      return Decision.waiting(
          holder.report().reachable() ? "ActivationInProgress" : "HolderNotAnswering",
          holder.name(),
          disabled);
    }
    Optional<MemberView> candidate =
        members.stream()
            .filter(m -> m.alive() && m.reports("STANDBY") && !m.report().failoverSuppressed())
            .min(HEALTHIEST);
    if (candidate.isEmpty()) {
      return Decision.waiting("NoStandbyReady", null, disabled);
    }
    return Decision.failOver(
        holder == null ? null : holder.name(),
        candidate.get().name(),
        holder == null ? "NoActiveMember" : reason(holder),
        holder == null ? null : holder.terminationCode(),
        disabled);
  }

  private static boolean globalError(MemberView m) {
    return m.reports("GLOBAL_ERROR") || ("GLOBAL".equals(m.terminationClass()) && !m.alive());
  }

  /** Why the holder is out of the running. */
  private static String reason(MemberView holder) {
    if (!holder.podExists()) {
      return "PodDeleted";
    }
    if (holder.deleting()) {
      return "PodDeleting";
    }
    if (holder.reports("DISABLED")) {
      return "MemberDisabled";
    }
    if ("LOCAL".equals(holder.terminationClass())) {
      return "LocalError";
    }
    return "ContainerTerminated";
  }
}
