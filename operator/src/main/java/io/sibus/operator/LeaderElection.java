package io.sibus.operator;

import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;

/**
 * The operator runs as two replicas; one leads (a Lease of its own), the other waits. Active in the
 * profiles of {@code quarkus.operator-sdk.activate-leader-election-for-profiles}.
 */
@ApplicationScoped
public class LeaderElection {
  @Produces
  LeaderElectionConfiguration configuration(OperatorConfig config) {
    return config
        .leaseNamespace()
        .map(ns -> new LeaderElectionConfiguration(config.leaseName(), ns))
        .orElseGet(() -> new LeaderElectionConfiguration(config.leaseName()));
  }
}
