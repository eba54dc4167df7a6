package io.sibus.operator.policy;

import java.util.List;

/**
 * What the failover policy decided for an engine.
 *
 * @param from the member that was active or held the Lease (FAIL_OVER, SUPPRESS)
 * @param to the member to activate (FAIL_OVER) or the active one (KEEP)
 * @param reason a CamelCase reason, used for events and conditions
 * @param disabled members that must not be chosen (disabled for high availability)
 */
public record Decision(
    Kind kind, String from, String to, String reason, String detail, List<String> disabled) {

  /** The kinds of decision. */
  public enum Kind {
    /** The active member serves: label it, nothing else to do. */
    KEEP,
    /** Give the Lease to {@code to}, since {@code from} is gone or there is no active member. */
    FAIL_OVER,
    /** A global error: annotate the Lease so that no member takes it; activate nobody. */
    SUPPRESS,
    /** Nothing to do now: an activation is under way, or no member can take over. */
    WAIT
  }

  static Decision keep(String active, List<String> disabled) {
    return new Decision(Kind.KEEP, null, active, "Active", null, disabled);
  }

  static Decision failOver(
      String from, String to, String reason, String detail, List<String> disabled) {
    return new Decision(Kind.FAIL_OVER, from, to, reason, detail, disabled);
  }

  static Decision suppress(String from, String reason, String detail, List<String> disabled) {
    return new Decision(Kind.SUPPRESS, from, null, reason, detail, disabled);
  }

  static Decision waiting(String reason, String detail, List<String> disabled) {
    return new Decision(Kind.WAIT, null, null, reason, detail, disabled);
  }
}
