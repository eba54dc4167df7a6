package io.sibus.operator.status;

import static org.assertj.core.api.Assertions.assertThat;

import io.sibus.crds.v1alpha1.TokenActionStatus;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class EngineStatusAggregatorTest {
  @Test
  void aStoppedEngineIsStoppedEvenWithARestartAfterRestorePending() {
    // A restore killed after it set its token: the next restore stops the engine and waits for
    // Stopped; the pending action runs once the engine is started again.
    assertThat(phase(false, true)).isEqualTo("Stopped");
    assertThat(phase(true, true)).isEqualTo("Restoring");
    assertThat(phase(false, false)).isEqualTo("Stopped");
  }

  private static String phase(boolean started, boolean maintenance) {
    TokenActionStatus pending = new TokenActionStatus();
    pending.setObservedToken("restore-1");
    pending.setPhase("Pending");
    EngineStatusAggregator.Inputs in =
        new EngineStatusAggregator.Inputs(
            1,
            2,
            started,
            true,
            null,
            List.of(),
            null,
            maintenance,
            null,
            pending,
            null,
            null,
            null);
    return EngineStatusAggregator.aggregate(null, in, Instant.now()).getPhase();
  }
}
