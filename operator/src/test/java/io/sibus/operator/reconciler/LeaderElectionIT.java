package io.sibus.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.sibus.crds.v1alpha1.Bus;
import io.sibus.crds.v1alpha1.BusSpec;
import io.sibus.crds.v1alpha1.MessagingEngine;
import io.sibus.local.LocalApiServer;
import io.sibus.local.MemberProcess;
import io.sibus.operator.Labels;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Two operator processes with leader election: one leads and reconciles; killed (kill -9), the
 * other takes its Lease and carries on.
 */
class LeaderElectionIT {
  static final String NS = "sibus-system";
  private LocalApiServer api;
  private final List<MemberProcess> operators = new java.util.ArrayList<>();

  @AfterEach
  void stop() {
    operators.forEach(MemberProcess::kill);
    if (api != null) {
      api.close();
    }
  }

  @Test
  void theOtherReplicaTakesOverWhenTheLeaderIsKilled() throws Exception {
    api = LocalApiServer.start(0);
    KubernetesClient client = api.client();
    Bus bus = new Bus();
    bus.setMetadata(new ObjectMetaBuilder().withName("demo").withNamespace(NS).build());
    bus.setSpec(new BusSpec());
    client.resources(Bus.class).inNamespace(NS).resource(bus).create();

    MemberProcess a = launch("operator-a");
    MemberProcess b = launch("operator-b");
    String leader = awaitLeader(client, null);
    create(client, "first");
    await().atMost(Duration.ofSeconds(60)).until(() -> pods(client, "first") == 2);

    MemberProcess leading = leader.equals("operator-a") ? a : b;
    leading.kill();
    String next = awaitLeader(client, leader);
    assertThat(next).isNotEqualTo(leader);
    create(client, "second");
    await().atMost(Duration.ofSeconds(60)).until(() -> pods(client, "second") == 2);
  }

  private MemberProcess launch(String identity) {
    Path jar = Path.of(System.getProperty("it.operator.jar", "target/quarkus-app/quarkus-run.jar"));
    MemberProcess process =
        MemberProcess.launch(
            new MemberProcess.Spec(jar, identity)
                .workDirectory(Path.of("target", "it", "leader-election"))
                .jvmOption("-Xmx256m")
                .jvmOption("-XX:TieredStopAtLevel=1")
                .properties(
                    Map.of(
                        "quarkus.kubernetes-client.api-server-url",
                        api.url(),
                        "quarkus.kubernetes-client.namespace",
                        NS,
                        "sibus.operator.identity",
                        identity,
                        "sibus.operator.lease-namespace",
                        NS,
                        "sibus.operator.lease-duration",
                        "4s",
                        "sibus.operator.renew-deadline",
                        "3s",
                        "sibus.operator.retry-period",
                        "1s",
                        "quarkus.log.category.\"io.sibus\".level",
                        "DEBUG")));
    operators.add(process);
    return process;
  }

  private static String awaitLeader(KubernetesClient client, String notThis) {
    String[] holder = {null};
    await()
        .atMost(Duration.ofSeconds(90))
        .pollInterval(Duration.ofMillis(200))
        .ignoreExceptions()
        .until(
            () -> {
              Lease lease = client.leases().inNamespace(NS).withName("sibus-operator").get();
              holder[0] = lease == null ? null : lease.getSpec().getHolderIdentity();
              return holder[0] != null && !holder[0].isBlank() && !holder[0].equals(notThis);
            });
    return holder[0];
  }

  private static void create(KubernetesClient client, String name) {
    MessagingEngine me = OperatorIT.engine(name, 2);
    me.getMetadata().setNamespace(NS);
    client.resources(MessagingEngine.class).inNamespace(NS).resource(me).create();
  }

  private static int pods(KubernetesClient client, String engine) {
    return client.pods().inNamespace(NS).withLabel(Labels.ENGINE, engine).list().getItems().size();
  }
}
