package io.sibus.operator;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import java.util.UUID;

/**
 * The operator runs as two replicas; one leads (a Lease of its own), the other waits. Active in the
 * profiles of {@code quarkus.operator-sdk.activate-leader-election-for-profiles}.
 */
@ApplicationScoped
public class LeaderElection {
  @Produces
  LeaderElectionConfiguration configuration(OperatorConfig config, KubernetesClient client) {
    String namespace =
        config
            .leaseNamespace()
            .orElse(client.getNamespace() == null ? "default" : client.getNamespace());
    String identity =
        config
            .identity()
            .orElse(System.getenv().getOrDefault("HOSTNAME", UUID.randomUUID().toString()));
    return new LeaderElectionConfiguration(
        config.leaseName(),
        namespace,
        config.leaseDuration(),
        config.renewDeadline(),
        config.retryPeriod(),
        identity,
        null,
        true); // a replica that loses leadership exits and restarts as a follower
  }
}
