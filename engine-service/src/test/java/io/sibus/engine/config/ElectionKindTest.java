package io.sibus.engine.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ElectionKindTest {
  private static final Map<String, String> IN_A_POD = Map.of("KUBERNETES_SERVICE_HOST", "10.0.0.1");

  @Test
  void unsetItIsKubernetesInAPodAndTheDataStoreElsewhere() {
    assertThat(ElectionKind.chosen(Optional.empty(), IN_A_POD)).isEqualTo(ElectionKind.KUBERNETES);
    assertThat(ElectionKind.chosen(Optional.empty(), Map.of())).isEqualTo(ElectionKind.DATASTORE);
  }

  @Test
  void setItWins() {
    assertThat(ElectionKind.chosen(Optional.of(ElectionKind.DATASTORE), IN_A_POD))
        .isEqualTo(ElectionKind.DATASTORE);
    assertThat(ElectionKind.KUBERNETES.value()).isEqualTo("kubernetes");
  }
}
