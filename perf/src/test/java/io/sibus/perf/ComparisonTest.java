package io.sibus.perf;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The order in which {@code --compare --rounds} measures the systems. */
class ComparisonTest {
  private static final List<String> SYSTEMS = List.of("sibus", "Artemis", "per message", "group");

  @Test
  void eachRoundReversesTheOneBefore() {
    assertThat(Comparison.inTurn(SYSTEMS, 1)).isEqualTo(SYSTEMS);
    assertThat(Comparison.inTurn(SYSTEMS, 2))
        .containsExactly("group", "per message", "Artemis", "sibus");
    assertThat(Comparison.inTurn(SYSTEMS, 3)).isEqualTo(SYSTEMS);
  }

  @Test
  void overTwoRoundsEverySystemsRunsAreCentredOnTheSameMoment() {
    // Positions in time: round 1 takes 0..3, round 2 takes 4..7.
    for (String system : SYSTEMS) {
      int first = Comparison.inTurn(SYSTEMS, 1).indexOf(system);
      int second = SYSTEMS.size() + Comparison.inTurn(SYSTEMS, 2).indexOf(system);
      assertThat(first + second).as(system).isEqualTo(SYSTEMS.size() * 2 - 1);
    }
  }
}
