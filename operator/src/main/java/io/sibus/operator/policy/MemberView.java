package io.sibus.operator.policy;

import io.sibus.operator.admin.EngineReport;

/**
 * One member as observed: its pod (exists, being deleted, container running, ready, restarts, last
 * termination) and what its admin API reports.
 *
 * @param terminationClass the {@code class} of the last termination message (LOCAL, GLOBAL), or
 *     null
 */
public record MemberView(
    String name,
    String url,
    boolean podExists,
    boolean deleting,
    boolean running,
    boolean ready,
    int restarts,
    Integer lastExitCode,
    String terminationClass,
    String terminationCode,
    EngineReport report) {

  /** A member that can serve or take over: its pod exists, stays and its container runs. */
  public boolean alive() {
    return podExists && !deleting && running;
  }

  /** The member serves the engine: it is alive and reports ACTIVE. */
  public boolean serving() {
    return alive() && reports("ACTIVE");
  }

  public boolean reports(String state) {
    return report != null && report.is(state);
  }

  /** A pod that no longer exists (seen as the Lease holder, for instance). */
  public static MemberView gone(String name) {
    return new MemberView(
        name, null, false, false, false, false, 0, null, null, null, EngineReport.UNREACHABLE);
  }
}
