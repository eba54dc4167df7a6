package io.sibus.operator.status;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Condition;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConditionsTest {
  private final Instant t0 = Instant.parse("2026-01-01T00:00:00Z");
  private final Instant t1 = Instant.parse("2026-01-01T00:05:00Z");

  @Test
  void anUnchangedConditionKeepsItsTransitionTime() {
    List<Condition> first = new Conditions(null, 1, t0).set("Ready", true, "A", "m").build();
    List<Condition> again =
        new Conditions(first, 2, t1).set("Ready", true, "B", "other message").build();
    assertThat(again.get(0).getLastTransitionTime()).isEqualTo(t0.toString());
    assertThat(again.get(0).getObservedGeneration()).isEqualTo(2);
    assertThat(again.get(0).getReason()).isEqualTo("B");
  }

  @Test
  void aChangedStatusMovesTheTransitionTime() {
    List<Condition> first = new Conditions(null, 1, t0).set("Ready", true, "A", null).build();
    List<Condition> changed =
        new Conditions(first, 1, t1).set("Ready", false, "Lost", null).build();
    assertThat(changed.get(0).getLastTransitionTime()).isEqualTo(t1.toString());
    assertThat(Conditions.isTrue(changed, "Ready")).isFalse();
    assertThat(Conditions.isTrue(first, "Ready")).isTrue();
  }
}
