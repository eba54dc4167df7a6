package io.sibus.perf;

import org.HdrHistogram.Histogram;

/** The benchmark's table: one markdown row per run. */
final class ReportTable {
  static final String HEADER =
      "| reliability | producers | size | sent/s | received/s | send p50 ms | send p99 ms |"
          + " send p99.9 ms | e2e p50 ms | e2e p99 ms | commits/s | ops/commit | commit ms |"
          + " core wait ms/commit | engine CPU % | engine RSS MiB | load CPU % | steal % | errors |\n"
          + "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|";

  private ReportTable() {}

  static String row(
      Workload.Result r,
      EngineProbe.Commits before,
      EngineProbe.Commits after,
      double coreWaitMillis,
      double cpuSeconds,
      double rssMiB) {
    double commits = after.transactions() - before.transactions();
    double operations = after.operations() - before.operations();
    return String.format(
        "| %s | %d | %d | %.0f | %.0f | %s | %s | %s | %s | %s | %.0f | %s | %s | %s | %s | %s | %s | %s"
            + " | %d |",
        r.spec().reliability(),
        r.spec().producers(),
        r.spec().size(),
        r.sent() / r.seconds(),
        r.received() / r.seconds(),
        ms(r.sendLatency(), 50),
        ms(r.sendLatency(), 99),
        ms(r.sendLatency(), 99.9),
        ms(r.endToEnd(), 50),
        ms(r.endToEnd(), 99),
        commits / r.seconds(),
        commits == 0 ? "-" : String.format("%.1f", operations / commits),
        commits == 0
            ? "-"
            : String.format(
                "%.2f", 1000 * (after.commitSeconds() - before.commitSeconds()) / commits),
        Double.isNaN(coreWaitMillis) ? "-" : String.format("%.2f", coreWaitMillis),
        cpuSeconds < 0 ? "-" : String.format("%.0f", 100 * cpuSeconds / r.seconds()),
        rssMiB < 0 ? "-" : String.format("%.0f", rssMiB),
        percent(r.cpu().loadGenerator(), "%.0f"),
        percent(r.cpu().steal(), "%.1f"),
        r.errors());
  }

  /** {@code share} as a percentage, or - when unknown. */
  static String percent(double share, String format) {
    return Double.isNaN(share) ? "-" : String.format(format, 100 * share);
  }

  /** The {@code percentile} of {@code h} (microseconds) in milliseconds, or - when empty. */
  static String ms(Histogram h, double percentile) {
    if (h.getTotalCount() == 0) {
      return "-";
    }
    return String.format("%.2f", h.getValueAtPercentile(percentile) / 1000.0);
  }
}
