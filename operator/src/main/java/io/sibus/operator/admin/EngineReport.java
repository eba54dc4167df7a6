package io.sibus.operator.admin;

/**
 * What a member's admin API says ({@code GET /api/v1/engine}); {@link #UNREACHABLE} when it did not
 * answer.
 */
public record EngineReport(
    String state,
    String startMode,
    String activeMember,
    boolean failoverSuppressed,
    String lastErrorClass,
    String lastErrorCode,
    String lastErrorMessage) {

  public static final EngineReport UNREACHABLE =
      new EngineReport("UNKNOWN", null, null, false, null, null, null);

  public boolean reachable() {
    return !"UNKNOWN".equals(state);
  }

  public boolean is(String value) {
    return value.equals(state);
  }
}
