package io.sibus.engine.election;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.quarkus.runtime.configuration.ConfigurationException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LeaseSettingsTest {
  @Test
  void aRenewDeadlineNotShorterThanTheLeaseDurationIsRefused() {
    assertThatThrownBy(() -> settings(Duration.ofSeconds(10), Duration.ofSeconds(10)))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("sibus.election.renew-deadline (PT10S) must be shorter than")
        .hasMessageContaining("sibus.election.lease-duration (PT10S)");
  }

  @Test
  void aRetryPeriodNotShorterThanTheRenewDeadlineIsRefused() {
    assertThatThrownBy(
            () ->
                new LeaseSettings(
                    "ns",
                    "me1",
                    Duration.ofSeconds(15),
                    Duration.ofSeconds(2),
                    Duration.ofSeconds(2)))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("sibus.election.retry-period");
  }

  @Test
  void theLeaseCarriesWholeSecondsRoundedUp() {
    assertThat(settings(Duration.ofMillis(2500), Duration.ofSeconds(2)).leaseDurationSeconds())
        .isEqualTo(3);
  }

  @Test
  void theNamespaceComesFromThePodThenTheServiceAccountThenDefault(@TempDir Path dir)
      throws Exception {
    Path file = dir.resolve("namespace");
    assertThat(LeaseSettings.defaultNamespace(Map.of(), file)).isEqualTo("default");
    Files.writeString(file, "from-file\n");
    assertThat(LeaseSettings.defaultNamespace(Map.of(), file)).isEqualTo("from-file");
    assertThat(LeaseSettings.defaultNamespace(Map.of("POD_NAMESPACE", "from-env"), file))
        .isEqualTo("from-env");
  }

  private static LeaseSettings settings(Duration lease, Duration renew) {
    return new LeaseSettings("ns", "me1", lease, renew, Duration.ofMillis(500));
  }
}
