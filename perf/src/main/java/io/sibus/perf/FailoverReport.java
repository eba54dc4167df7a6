package io.sibus.perf;

import io.sibus.local.DeliveryLedger;
import io.sibus.local.MemberProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.LocalDate;
import java.util.List;
import java.util.Locale;

/**
 * The failover figures as markdown: beside each, the target of issue 7 and what the anchors
 * document, so that a reader sees at once which targets hold.
 */
final class FailoverReport {
  /** 200 MB (the unit) in MiB (what /proc reports). */
  private static final double IDLE_RSS_TARGET_MIB = 200e6 / (1 << 20);

  private static final String RSS_TARGET = "≤ 200 MB (190.7 MiB)";

  private static final String ANCHORS =
      "CloudNativePG: ≤ 10 s, asserted in its tests on kind; Artemis JDBC shared store: waits out"
          + " a 20 s lock expiry (default); IBM MQ Native HA: election after a 10 s heartbeat"
          + " timeout";

  private FailoverReport() {}

  /** The load and members the figures come from. */
  static List<String> setup(int kills, int firstLoadSeconds, List<String> jvmOptions) {
    return List.of(
        "one engine `perf`, two standalone member processes ("
            + String.join(" ", MemberProcess.DEFAULT_JVM_OPTIONS)
            + " -Xmx512m"
            + (jvmOptions.isEmpty() ? "" : " " + String.join(" ", jvmOptions))
            + ") on one embedded PostgreSQL (fsync and synchronous commit on), active and standby"
            + " chosen by the data-store election with the engine's default settings",
        "load: "
            + FailoverBench.PRODUCERS
            + " producers ("
            + FailoverBench.PAUSE_BETWEEN_SENDS.toMillis()
            + " ms pause between sends) and "
            + FailoverBench.CONSUMERS
            + " consumers, assured persistent, each send retried with its idempotency key"
            + " through both members' URLs until acknowledged",
        kills
            + " × kill -9 of the active member, the first after "
            + firstLoadSeconds
            + " s of load, then each ~2 s after the relaunched member is STANDBY; write gap ="
            + " the longest time without an acknowledged send from 0.5 s before a kill to 5 s"
            + " after it");
  }

  /** The table of figures, targets and anchors. */
  static String table(MemberFigures f) {
    StringBuilder t = new StringBuilder();
    t.append("| figure | sibus, this machine | issue 7 target | holds | anchors |\n");
    t.append("|---|---|---|---|---|\n");
    failoverRows(t, f);
    startRows(t, f);
    idleAndLedgerRows(t, f);
    return t.toString();
  }

  private static void failoverRows(StringBuilder t, MemberFigures f) {
    List<Long> gaps = f.writeGapMs();
    String bound = f.gapsBeyondWindow() > 0 ? "≥ " : "";
    double median = MemberFigures.median(gaps);
    long worst = MemberFigures.worst(gaps);
    row(
        t,
        "write gap after kill -9 of the active, median of " + gaps.size(),
        bound + ms(median),
        "≤ 2 s",
        median <= 2000,
        ANCHORS);
    row(
        t,
        "write gap, worst of " + gaps.size(),
        bound + ms(worst),
        "≤ 5 s",
        worst <= 5000,
        "as above");
    List<Long> toActive = f.killToActiveMs();
    row(
        t,
        "kill -9 to the standby reporting ACTIVE, median / worst",
        ms(MemberFigures.median(toActive)) + " / " + ms(MemberFigures.worst(toActive)),
        "—",
        null,
        "—");
  }

  private static void startRows(StringBuilder t, MemberFigures f) {
    row(
        t,
        "member start to ACTIVE, empty store",
        ms(f.startToActiveEmptyMs()),
        "≤ 3 s",
        f.startToActiveEmptyMs() <= 3000,
        "—");
    row(
        t,
        "member start to ACTIVE, restart on the existing store",
        ms(f.startToActiveExistingMs()),
        "≤ 3 s",
        f.startToActiveExistingMs() <= 3000,
        "—");
    List<Long> relaunches = f.relaunchStandbyMs();
    row(
        t,
        "standby start to STANDBY: idle / relaunched under load, median / worst",
        ms(f.firstStandbyMs())
            + " / "
            + ms(MemberFigures.median(relaunches))
            + " / "
            + ms(MemberFigures.worst(relaunches)),
        "—",
        null,
        "—");
  }

  private static void idleAndLedgerRows(StringBuilder t, MemberFigures f) {
    row(
        t,
        "idle active member RSS (10 s after the load)",
        mib(f.activeRssMiB()),
        RSS_TARGET,
        f.activeRssMiB() >= 0 && f.activeRssMiB() <= IDLE_RSS_TARGET_MIB,
        "—");
    row(
        t,
        "idle standby member RSS",
        mib(f.standbyRssMiB()),
        RSS_TARGET,
        f.standbyRssMiB() >= 0 && f.standbyRssMiB() <= IDLE_RSS_TARGET_MIB,
        "—");
    DeliveryLedger.Report l = f.ledger();
    row(
        t,
        "messages: sent / acknowledged / lost / duplicated",
        l.attempted()
            + " / "
            + l.acknowledged()
            + " / "
            + l.lost().size()
            + " / "
            + l.duplicated().size(),
        "none lost or duplicated",
        f.clean(),
        "—");
  }

  /** The per-kill figures, for whoever wants more than the median and the worst. */
  static String details(MemberFigures f) {
    return "Per kill, ms: kill to ACTIVE "
        + f.killToActiveMs()
        + "; write gap "
        + f.writeGapMs()
        + (f.gapsBeyondWindow() > 0
            ? " (" + f.gapsBeyondWindow() + " outlasted the 5 s window: lower bounds)"
            : "")
        + "; relaunch to STANDBY "
        + f.relaunchStandbyMs()
        + ". Ledger: "
        + f.ledger()
        + "; retried attempts "
        + f.retriedAttempts()
        + ".";
  }

  /** Appends the section (heading, command, setup, table, details) to {@code report}. */
  static void append(Path report, String command, List<String> setup, MemberFigures f)
      throws IOException {
    StringBuilder text = new StringBuilder();
    text.append("\n### `sibus perf --failover` — ").append(LocalDate.now()).append("\n\n");
    text.append("Command: `").append(command).append("`.\n\n");
    setup.forEach(line -> text.append("- ").append(line).append('\n'));
    text.append('\n').append(table(f)).append('\n').append(details(f)).append('\n');
    Path directory = report.toAbsolutePath().getParent();
    Files.createDirectories(directory);
    Files.writeString(report, text, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
  }

  private static void row(
      StringBuilder t, String figure, String value, String target, Boolean holds, String anchors) {
    String verdict = holds == null ? "—" : holds ? "yes" : "**no**";
    t.append("| ").append(figure).append(" | ").append(value).append(" | ").append(target);
    t.append(" | ").append(verdict).append(" | ").append(anchors).append(" |\n");
  }

  private static String ms(double millis) {
    return millis < 0 ? "n/a" : String.format(Locale.ROOT, "%.0f ms", millis);
  }

  private static String mib(double value) {
    return value < 0 ? "n/a" : String.format(Locale.ROOT, "%.1f MiB", value);
  }
}
