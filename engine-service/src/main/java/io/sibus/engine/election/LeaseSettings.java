package io.sibus.engine.election;

import io.quarkus.runtime.configuration.ConfigurationException;
import io.sibus.engine.config.SibusConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * Where the engine's Lease lives and how it is timed ({@code sibus.election.*}). Checked when
 * built: the renew deadline must be shorter than the lease duration, so that an active member that
 * cannot renew stops before a standby may take the Lease; and the retry period shorter than the
 * deadline, or the Lease would never be renewed in time.
 */
public record LeaseSettings(
    String namespace,
    String name,
    Duration leaseDuration,
    Duration renewDeadline,
    Duration retryPeriod) {
  /** Where a pod finds its own namespace when the downward API does not pass it. */
  static final Path SERVICE_ACCOUNT_NAMESPACE =
      Path.of("/var/run/secrets/kubernetes.io/serviceaccount/namespace");

  public LeaseSettings {
    if (name == null || name.isBlank()) {
      throw new ConfigurationException("sibus.election.lease-name must not be blank.");
    }
    if (leaseDuration.compareTo(Duration.ofSeconds(1)) < 0) {
      throw new ConfigurationException(
          "sibus.election.lease-duration (" + leaseDuration + ") must be at least 1s.");
    }
    if (renewDeadline.compareTo(leaseDuration) >= 0) {
      throw new ConfigurationException(
          "sibus.election.renew-deadline ("
              + renewDeadline
              + ") must be shorter than sibus.election.lease-duration ("
              + leaseDuration
              + "): an active member that cannot renew its Lease must stop before another member"
              + " may take it.");
    }
    if (retryPeriod.isNegative()
        || retryPeriod.isZero()
        || retryPeriod.compareTo(renewDeadline) >= 0) {
      throw new ConfigurationException(
          "sibus.election.retry-period ("
              + retryPeriod
              + ") must be positive and shorter than sibus.election.renew-deadline ("
              + renewDeadline
              + "), or the Lease is never renewed in time.");
    }
  }

  /** The settings as configured, with the documented defaults. */
  public static LeaseSettings from(SibusConfig config) {
    SibusConfig.ElectionSettings election = config.election();
    return new LeaseSettings(
        election
            .namespace()
            .orElseGet(() -> defaultNamespace(System.getenv(), SERVICE_ACCOUNT_NAMESPACE)),
        election.leaseName().orElse(config.engine().name()),
        election.leaseDuration(),
        election.renewDeadline(),
        election.retryPeriod());
  }

  /** {@code POD_NAMESPACE}, else the service account's namespace file, else {@code default}. */
  static String defaultNamespace(Map<String, String> env, Path serviceAccountNamespace) {
    String fromEnv = env.get("POD_NAMESPACE");
    if (fromEnv != null && !fromEnv.isBlank()) {
      return fromEnv.trim();
    }
    try {
      if (Files.isReadable(serviceAccountNamespace)) {
        String fromFile = Files.readString(serviceAccountNamespace).trim();
        if (!fromFile.isEmpty()) {
          return fromFile;
        }
      }
    } catch (IOException e) {
      // Not in a pod, or no service account mounted: the default namespace.
    }
    return "default";
  }

  /** The lease duration as the Lease carries it: whole seconds, rounded up. */
  int leaseDurationSeconds() {
    long millis = leaseDuration.toMillis();
    return (int) ((millis + 999) / 1000);
  }

  /** Namespace and name, for messages. */
  String describe() {
    return namespace + "/" + name;
  }
}
