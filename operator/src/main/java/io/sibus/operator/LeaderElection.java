package io.sibus.operator;

import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The operator runs as two replicas; one leads (a Lease of its own), the other waits. Active in the
 * profiles of {@code quarkus.operator-sdk.activate-leader-election-for-profiles}.
 */
@ApplicationScoped
public class LeaderElection {
  @Produces
  LeaderElectionConfiguration configuration(
      @ConfigProperty(name = "sibus.operator.lease-name", defaultValue = "sibus-operator")
          String name,
      @ConfigProperty(name = "sibus.operator.lease-namespace")
          java.util.Optional<String> namespace) {
    return namespace
        .map(ns -> new LeaderElectionConfiguration(name, ns))
        .orElseGet(() -> new LeaderElectionConfiguration(name));
  }
}
