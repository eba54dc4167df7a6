package io.sibus.operator.policy;

import java.util.ArrayList;
import java.util.List;

/**
 * The next steps of an engine's start, stop and one-shot actions, as computed by {@link
 * Maintenance}: admin calls to make and the new phases of the token actions.
 */
public final class MaintenancePlan {
  /** An admin call to a member. */
  public record Call(String member, String action, String mode) {
    static Call start(String member, String mode) {
      return new Call(member, "start", mode);
    }

    static Call stop(String member) {
      return new Call(member, "stop", null);
    }
  }

  /** A token action's progress. */
  public record Phase(String token, String phase, String message) {}

  final List<Call> calls = new ArrayList<>();
  Phase recovery;
  Phase restartAfterRestore;
  String clearedGlobalErrorToken;
  String reenabledToken;
  String leaseHolder;
  String serving;
  boolean liftSuppression;
  boolean inProgress;

  public List<Call> calls() {
    return calls;
  }

  /** The recovery action's new phase, or null when unchanged. */
  public Phase recovery() {
    return recovery;
  }

  /** The restart-after-restore action's new phase, or null when unchanged. */
  public Phase restartAfterRestore() {
    return restartAfterRestore;
  }

  /** The clear-global-error token acted upon now, or null. */
  public String clearedGlobalErrorToken() {
    return clearedGlobalErrorToken;
  }

  /** The reenable-members token acted upon now, or null. */
  public String reenabledToken() {
    return reenabledToken;
  }

  /** A member to give the Lease to before it starts (a maintenance start), or null. */
  public String leaseHolder() {
    return leaseHolder;
  }

  /**
   * The member the Service leads to while failover decisions wait (a maintenance action runs), or
   * null to leave the role labels as they are.
   */
  public String serving() {
    return serving;
  }

  /** Remove the failover-suppressed annotation from the Lease. */
  public boolean liftSuppression() {
    return liftSuppression;
  }

  /** A recovery or restart after restore is under way: failover decisions wait. */
  public boolean inProgress() {
    return inProgress;
  }
}
