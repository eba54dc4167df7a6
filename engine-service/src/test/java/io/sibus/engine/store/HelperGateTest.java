package io.sibus.engine.store;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class HelperGateTest {
  final HelperGate gate = new HelperGate();

  @Test
  void helpersAreWantedUntilTheFirstWritersBatchesAreLarge() {
    assertThat(gate.helpersWanted()).isTrue();
    took(20, 1);
    assertThat(gate.helpersWanted()).isTrue();
    took(20, 8);
    assertThat(gate.helpersWanted()).isFalse();
  }

  @Test
  void oneLargeBatchDoesNotShutThemOut() {
    took(20, 1);
    took(1, 20);
    assertThat(gate.helpersWanted()).isTrue();
  }

  @Test
  void theyAreWantedAgainOnceTheLoadIsLight() {
    took(20, 8);
    took(20, 1);
    assertThat(gate.helpersWanted()).isTrue();
  }

  private void took(int batches, int size) {
    for (int i = 0; i < batches; i++) {
      gate.firstWriterTook(size);
    }
  }
}
