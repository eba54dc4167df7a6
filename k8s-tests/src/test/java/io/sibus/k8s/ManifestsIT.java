package io.sibus.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.sibus.local.LocalApiServer;
import java.util.List;
import org.junit.jupiter.api.Test;

/** deploy/ applied without kubectl, as on a fresh machine: every object, in its namespace. */
class ManifestsIT {
  @Test
  void appliesTheKustomizationsOfDeployInTheirNamespacesAndAgainWithoutError() {
    try (LocalApiServer api = LocalApiServer.start(0);
        KubernetesClient client = api.client()) {
      List<HasMetadata> base = Manifests.apply(client, E2ECluster.HOME.resolve("deploy/base"));
      List<HasMetadata> samples =
          Manifests.apply(client, E2ECluster.HOME.resolve("deploy/samples"));

      assertThat(base)
          .extracting(HasMetadata::getKind)
          .contains("CustomResourceDefinition", "Deployment");
      assertThat(
              client
                  .apps()
                  .deployments()
                  .inNamespace("sibus-system")
                  .withName("sibus-operator")
                  .get())
          .isNotNull();
      assertThat(client.apps().statefulSets().inNamespace("sibus-demo").withName("postgres").get())
          .isNotNull();
      assertThat(
              client
                  .genericKubernetesResources("sibus.io/v1alpha1", "MessagingEngine")
                  .inNamespace("sibus-demo")
                  .list()
                  .getItems())
          .extracting(o -> o.getMetadata().getName())
          .containsExactlyInAnyOrder("me1", "me2");
      assertThat(samples)
          .filteredOn(o -> !o.getKind().equals("Namespace"))
          .allMatch(o -> "sibus-demo".equals(o.getMetadata().getNamespace()));

      // A second apply updates what is there (as kubectl apply does), it does not fail.
      Manifests.apply(client, E2ECluster.HOME.resolve("deploy/samples"));
      assertThat(client.secrets().inNamespace("sibus-demo").list().getItems())
          .extracting(s -> s.getMetadata().getName())
          .containsExactly("pg-credentials");
    }
  }
}
