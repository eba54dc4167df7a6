package io.sibus.perf;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The table of {@code sibus perf --compare}: a row per system and producer count, then the ratios
 * of sibus's send rate to each other system's. The first system measured is sibus.
 */
final class CompareTable {
  /** One system's run with one producer count. */
  record Row(String system, Workload.Result result) {
    int producers() {
      return result.spec().producers();
    }

    double sentPerSecond() {
      return result.sent() / result.seconds();
    }

    double receivedPerSecond() {
      return result.received() / result.seconds();
    }
  }

  static final String HEADER =
      "| system | producers | sent/s | received/s | send p50 ms | send p99 ms | send p99.9 ms |"
          + " steal % | errors |\n"
          + "|---|---|---|---|---|---|---|---|---|";

  private final List<Row> rows;
  private final List<String> setup;

  CompareTable(List<Row> rows, List<String> setup) {
    this.rows = List.copyOf(rows);
    this.setup = List.copyOf(setup);
  }

  static String line(Row row) {
    Workload.Result r = row.result();
    return String.format(
        "| %s | %d | %.0f | %.0f | %s | %s | %s | %s | %d |",
        row.system(),
        row.producers(),
        row.sentPerSecond(),
        row.receivedPerSecond(),
        ReportTable.ms(r.sendLatency(), 50),
        ReportTable.ms(r.sendLatency(), 99),
        ReportTable.ms(r.sendLatency(), 99.9),
        ReportTable.percent(r.cpu().steal(), "%.1f"),
        r.errors());
  }

  List<Row> rows() {
    return rows;
  }

  /** The systems in the order they were measured. */
  List<String> systems() {
    Set<String> systems = new LinkedHashSet<>();
    rows.forEach(r -> systems.add(r.system()));
    return new ArrayList<>(systems);
  }

  Set<Integer> producerCounts() {
    Set<Integer> counts = new TreeSet<>();
    rows.forEach(r -> counts.add(r.producers()));
    return counts;
  }

  /** The measurements, grouped by producer count. */
  String measurements() {
    StringBuilder text = new StringBuilder(HEADER);
    for (int producers : producerCounts()) {
      for (String system : systems()) {
        find(system, producers).ifPresent(r -> text.append('\n').append(line(r)));
      }
    }
    return text.toString();
  }

  /**
   * sibus's rates divided by each other system's, per producer count: sent/s, and received/s (which
   * tells whether a system's consumers kept up with its producers).
   */
  String ratios() {
    List<String> systems = systems();
    if (systems.size() < 2) {
      return "";
    }
    String sibus = systems.get(0);
    List<String> others = systems.subList(1, systems.size());
    StringBuilder text = new StringBuilder("| producers | rate |");
    others.forEach(o -> text.append(' ').append(sibus).append(" / ").append(o).append(" |"));
    text.append("\n|---|---|").append("---|".repeat(others.size()));
    for (int producers : producerCounts()) {
      for (boolean sent : new boolean[] {true, false}) {
        text.append("\n| ").append(producers).append(sent ? " | sent/s |" : " | received/s |");
        for (String other : others) {
          text.append(' ').append(ratio(sibus, other, producers, sent)).append(" |");
        }
      }
    }
    return text.toString();
  }

  /** How the systems were set up, one line each. */
  List<String> setup() {
    return setup;
  }

  private String ratio(String system, String other, int producers, boolean sent) {
    Optional<Row> a = find(system, producers);
    Optional<Row> b = find(other, producers);
    if (a.isEmpty() || b.isEmpty()) {
      return "-";
    }
    double numerator = sent ? a.get().sentPerSecond() : a.get().receivedPerSecond();
    double denominator = sent ? b.get().sentPerSecond() : b.get().receivedPerSecond();
    return denominator == 0 ? "-" : String.format("%.2f", numerator / denominator);
  }

  Optional<Row> find(String system, int producers) {
    return rows.stream()
        .filter(r -> r.system().equals(system) && r.producers() == producers)
        .findFirst();
  }
}
