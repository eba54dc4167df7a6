package io.sibus.engine.election;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.runtime.Startup;
import io.sibus.engine.config.ElectionKind;
import io.sibus.engine.config.SibusConfig;
import io.sibus.engine.error.ErrorLog;
import io.sibus.engine.lifecycle.MemberStatus;
import io.sibus.engine.store.StoreContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/**
 * Makes the election that {@code sibus.engine.election} chooses. The Kubernetes client is looked up
 * only for the Kubernetes election, so a member without any Kubernetes around (standalone, the
 * tests) never creates one. Made at start-up, so that wrong Lease settings stop the member at once.
 */
@ApplicationScoped
public class ElectionProducer {
  @Produces
  @Singleton
  @Startup
  Election election(
      SibusConfig config,
      StoreContext context,
      MemberStatus status,
      ErrorLog errors,
      Instance<KubernetesClient> kubernetes) {
    ElectionKind kind = ElectionKind.chosen(config.engine().election(), System.getenv());
    if (kind == ElectionKind.DATASTORE) {
      return new DatastoreElection();
    }
    LeaseSettings settings = LeaseSettings.from(config);
    return new KubernetesElection(
        kubernetes.get(), settings, config.engine().name(), context.member(), status, errors);
  }
}
