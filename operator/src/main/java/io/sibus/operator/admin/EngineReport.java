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
    String lastErrorMessage,
    boolean restoreDetected,
    String flush) {

  public static final EngineReport UNREACHABLE =
      new EngineReport("UNKNOWN", null, null, false, null, null, null, false, null);

  public boolean reachable() {
    return !"UNKNOWN".equals(state);
  }

  /** A restart after restore has flushed every delivery stream (or the engine has none). */
  public boolean flushCompleted() {
    return flush == null || "COMPLETED".equals(flush);
  }

  public boolean is(String value) {
    return value.equals(state);
  }
}
