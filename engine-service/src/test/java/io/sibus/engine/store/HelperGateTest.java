package io.sibus.engine.store;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class HelperGateTest {
  final HelperGate gate = new HelperGate();
  long now = 1_000_000_000L;

  @Test
  void helpersAreWantedUntilTheFirstWritersBatchesAreLarge() {
    assertThat(gate.helpersWanted(now)).isTrue();
    took(20, 1);
    assertThat(gate.helpersWanted(now)).isTrue();
    took(20, 8);
    assertThat(gate.helpersWanted(now)).isFalse();
  }

  @Test
  void oneLargeBatchDoesNotShutThemOut() {
    took(20, 1);
    took(1, 20);
    assertThat(gate.helpersWanted(now)).isTrue();
  }

  @Test
  void theyAreWantedAgainOnceTheLoadIsLight() {
    took(20, 8);
    took(20, 1);
    assertThat(gate.helpersWanted(now)).isTrue();
  }

  @Test
  void theyAreWantedWhileTheFirstWriterIsSlowOnABatch() {
    took(20, 8);
    gate.firstWriterTook(8, now);
    assertThat(gate.helpersWanted(now + HelperGate.SLOW_BATCH_NANOS / 2)).isFalse();
    assertThat(gate.helpersWanted(now + HelperGate.SLOW_BATCH_NANOS + 1)).isTrue();
    gate.firstWriterDone();
    assertThat(gate.helpersWanted(now + HelperGate.SLOW_BATCH_NANOS + 1)).isFalse();
  }

  private void took(int batches, int size) {
    for (int i = 0; i < batches; i++) {
      gate.firstWriterTook(size, now);
      gate.firstWriterDone();
    }
  }
}
