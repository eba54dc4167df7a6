package io.sibus.perf;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.TreeSet;

/**
 * The table of {@code sibus perf --compare}: a row per system, producer count and round, then the
 * ratios of sibus's send rate to each other system's, per round and, with several rounds, of the
 * rounds' mean rates. The first system measured is sibus.
 */
final class CompareTable {
  /** One system's run with one producer count, in one round (from 1). */
  record Row(String system, int round, Workload.Result result) {
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

  /** In place of a round: the mean over all rounds. */
  private static final int MEANS = 0;

  private final List<Row> rows;
  private final List<String> setup;

  CompareTable(List<Row> rows, List<String> setup) {
    this.rows = List.copyOf(rows);
    this.setup = List.copyOf(setup);
  }

  /** The row as a line of the table; {@code rounds}: whether to name its round. */
  static String line(Row row, boolean rounds) {
    Workload.Result r = row.result();
    return String.format(
        "| %s | %d | %.0f | %.0f | %s | %s | %s | %s | %d |",
        rounds ? row.system() + ", round " + row.round() : row.system(),
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

  /** How many rounds the systems were measured in. */
  int rounds() {
    return rows.stream().mapToInt(Row::round).max().orElse(0);
  }

  /** The measurements, grouped by producer count, then by round. */
  String measurements() {
    StringBuilder text = new StringBuilder(HEADER);
    for (int producers : producerCounts()) {
      for (int round = 1; round <= rounds(); round++) {
        for (String system : systems()) {
          find(system, producers, round)
              .ifPresent(r -> text.append('\n').append(line(r, rounds() > 1)));
        }
      }
    }
    return text.toString();
  }

  /**
   * sibus's rates divided by each other system's, per producer count: sent/s, and received/s (which
   * tells whether a system's consumers kept up with its producers); with several rounds, those of
   * each round, then those of the rounds' mean rates.
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
    List<Integer> shown = new ArrayList<>();
    for (int round = 1; rounds() > 1 && round <= rounds(); round++) {
      shown.add(round);
    }
    shown.add(MEANS);
    for (int producers : producerCounts()) {
      for (boolean sent : new boolean[] {true, false}) {
        for (int round : shown) {
          text.append("\n| ")
              .append(producers)
              .append(" | ")
              .append(sent ? "sent/s" : "received/s");
          if (rounds() > 1) {
            text.append(round == MEANS ? ", mean rates" : ", round " + round);
          }
          text.append(" |");
          for (String other : others) {
            text.append(' ').append(ratio(sibus, other, producers, round, sent)).append(" |");
          }
        }
      }
    }
    return text.toString();
  }

  /** How the systems were set up, one line each. */
  List<String> setup() {
    return setup;
  }

  /**
   * {@code system}'s rate over {@code other}'s in {@code round}; for {@link #MEANS}, their mean
   * rates over the rounds in which both were measured, so that a round one of them missed does not
   * weigh on one side only.
   */
  private String ratio(String system, String other, int producers, int round, boolean sent) {
    Set<Integer> rounds = roundsMeasured(system, producers);
    rounds.retainAll(roundsMeasured(other, producers));
    if (round != MEANS) {
      rounds.retainAll(Set.of(round));
    }
    OptionalDouble a = rate(system, producers, rounds, sent);
    OptionalDouble b = rate(other, producers, rounds, sent);
    if (a.isEmpty() || b.isEmpty() || b.getAsDouble() == 0) {
      return "-";
    }
    // Three decimals: a target of 0.50 must not be met by rounding (0.495 would print as 0.50).
    return String.format("%.3f", a.getAsDouble() / b.getAsDouble());
  }

  /** The rounds in which {@code system} was measured with {@code producers}. */
  private Set<Integer> roundsMeasured(String system, int producers) {
    Set<Integer> rounds = new TreeSet<>();
    rows.stream()
        .filter(r -> r.system().equals(system) && r.producers() == producers)
        .forEach(r -> rounds.add(r.round()));
    return rounds;
  }

  /** A system's mean sent/s or received/s over {@code rounds}. */
  private OptionalDouble rate(String system, int producers, Set<Integer> rounds, boolean sent) {
    return rows.stream()
        .filter(r -> r.system().equals(system) && r.producers() == producers)
        .filter(r -> rounds.contains(r.round()))
        .mapToDouble(r -> sent ? r.sentPerSecond() : r.receivedPerSecond())
        .average();
  }

  /** A system's mean sent/s over its rounds, for the chart. */
  OptionalDouble meanSentPerSecond(String system, int producers) {
    return rate(system, producers, roundsMeasured(system, producers), true);
  }

  Optional<Row> find(String system, int producers, int round) {
    return rows.stream()
        .filter(r -> r.system().equals(system) && r.producers() == producers && r.round() == round)
        .findFirst();
  }
}
