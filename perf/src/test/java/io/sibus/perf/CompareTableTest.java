package io.sibus.perf;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

/**
 * The comparison's table: one round reads as it always did; several rounds give the ratios of each
 * round and of the rounds' mean rates.
 */
class CompareTableTest {
  private static final int PRODUCERS = 16;

  @Test
  void oneRoundHasOneRatioPerRateAndNamesNoRound() {
    CompareTable table =
        new CompareTable(List.of(row("sibus", 1, 10_000), row("Artemis", 1, 2_000)), List.of());

    assertThat(table.rounds()).isEqualTo(1);
    assertThat(table.ratios())
        .isEqualTo(
            "| producers | rate | sibus / Artemis |\n"
                + "|---|---|---|\n"
                + "| 16 | sent/s | 5.000 |\n"
                + "| 16 | received/s | 5.000 |");
    assertThat(table.measurements()).contains("| sibus | 16 | 10000 |").doesNotContain("round");
    assertThat(CompareChart.svg(table, "load")).contains(">10000<").contains(">2000<");
  }

  @Test
  void severalRoundsGiveEachRoundsRatiosAndThoseOfTheMeanRates() {
    // Measured as the comparison orders them: the second round in reverse.
    CompareTable table =
        new CompareTable(
            List.of(
                row("sibus", 1, 9_000),
                row("Artemis", 1, 2_000),
                row("Artemis", 2, 2_000),
                row("sibus", 2, 11_000)),
            List.of());

    assertThat(table.rounds()).isEqualTo(2);
    assertThat(table.systems()).containsExactly("sibus", "Artemis");
    assertThat(table.ratios())
        .contains("| 16 | sent/s, round 1 | 4.500 |")
        .contains("| 16 | sent/s, round 2 | 5.500 |")
        .contains("| 16 | sent/s, mean rates | 5.000 |")
        .contains("| 16 | received/s, mean rates | 5.000 |");
    assertThat(table.measurements())
        .contains("| sibus, round 1 | 16 | 9000 |")
        .contains("| sibus, round 2 | 16 | 11000 |");
    // The chart shows each system's mean.
    assertThat(CompareChart.svg(table, "load"))
        .contains("mean sent/s of 2 rounds")
        .contains(">10000<")
        .contains(">2000<");
  }

  @Test
  void aSystemMissingFromARoundHasNoRatioThereAndItsMeansLeaveThatRoundOut() {
    CompareTable table =
        new CompareTable(
            List.of(row("sibus", 1, 9_000), row("sibus", 2, 11_000), row("Artemis", 2, 2_000)),
            List.of());

    assertThat(table.ratios())
        .contains("| 16 | sent/s, round 1 | - |")
        .contains("| 16 | sent/s, round 2 | 5.500 |")
        .contains("| 16 | sent/s, mean rates | 5.500 |"); // round 2's alone
  }

  @Test
  void aRatioJustBelowATargetDoesNotRoundUpToIt() {
    CompareTable table =
        new CompareTable(List.of(row("sibus", 1, 9_900), row("limit", 1, 20_000)), List.of());

    assertThat(table.ratios()).contains("| 16 | sent/s | 0.495 |");
  }

  /** A run of {@code system} that sent and received {@code perSecond} for 10 s. */
  private static CompareTable.Row row(String system, int round, long perSecond) {
    Workload.Spec spec =
        new Workload.Spec(
            "perf", Comparison.RELIABILITY, PRODUCERS, 4, 1024, Duration.ofSeconds(10), 0);
    Histogram latency = new Histogram(3);
    latency.recordValue(1_000);
    return new CompareTable.Row(
        system,
        round,
        new Workload.Result(
            spec,
            10,
            perSecond * 10,
            perSecond * 10,
            0,
            latency,
            latency,
            List.of(),
            new MachineCpu.Usage(0, 0)));
  }
}
