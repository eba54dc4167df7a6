package io.sibus.perf;

import io.sibus.local.DeliveryLedger;
import java.util.List;

/**
 * What {@code sibus perf --failover} measured about standalone members: how fast a member starts,
 * how long writes stop when the active member is killed, how much memory an idle member keeps, and
 * whether every acknowledged message arrived exactly once.
 *
 * @param startToActiveEmptyMs the first member, on an empty store: launch to ACTIVE
 * @param startToActiveExistingMs the same member restarted on the store it created
 * @param firstStandbyMs the second member, with no load: launch to STANDBY
 * @param relaunchStandbyMs each killed member's relaunch, under load: launch to STANDBY
 * @param killToActiveMs per kill: kill -9 of the active member to the standby reporting ACTIVE
 * @param writeGapMs per kill: the longest time without an acknowledged send around the kill
 * @param gapsBeyondWindow how many gaps outlasted the load runner's 5 s window and are lower bounds
 * @param ledger every message of the load, counted
 * @param retriedAttempts sends and receives that failed and were retried
 * @param activeRssMiB the active member's resident memory after the load and 10 s idle
 * @param standbyRssMiB the standby's, at the same time
 */
record MemberFigures(
    long startToActiveEmptyMs,
    long startToActiveExistingMs,
    long firstStandbyMs,
    List<Long> relaunchStandbyMs,
    List<Long> killToActiveMs,
    List<Long> writeGapMs,
    int gapsBeyondWindow,
    DeliveryLedger.Report ledger,
    int retriedAttempts,
    double activeRssMiB,
    double standbyRssMiB) {

  /** True when no acknowledged message was lost and none was consumed twice. */
  boolean clean() {
    return ledger.lost().isEmpty() && ledger.duplicated().isEmpty();
  }

  /** The median: the mean of the two middle values of an even count. */
  static double median(List<Long> values) {
    List<Long> sorted = values.stream().sorted().toList();
    int n = sorted.size();
    if (n == 0) {
      return -1;
    }
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2.0;
  }

  static long worst(List<Long> values) {
    return values.stream().mapToLong(Long::longValue).max().orElse(-1);
  }
}
