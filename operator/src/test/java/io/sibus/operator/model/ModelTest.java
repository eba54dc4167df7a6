package io.sibus.operator.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.sibus.crds.v1alpha1.DataStoreSpec;
import io.sibus.crds.v1alpha1.Destination;
import io.sibus.crds.v1alpha1.DestinationSpec;
import io.sibus.crds.v1alpha1.MessagingEngine;
import io.sibus.crds.v1alpha1.MessagingEngineSpec;
import io.sibus.operator.Labels;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class ModelTest {
  @Test
  void memberPodsCarryTheEngineConfigurationAndStartStopped() {
    MessagingEngine me = engine("me1", "demo");
    me.getSpec().getProperties().put("sibus.engine.max-message-size", "65536");
    Pod pod = MemberPods.build(me, 1, "sibus/engine:test", 8080);
    assertThat(pod.getMetadata().getName()).isEqualTo("me1-1");
    assertThat(pod.getMetadata().getLabels())
        .containsEntry(Labels.ENGINE, "me1")
        .containsEntry(Labels.BUS, "demo")
        .containsEntry(Labels.ROLE, Labels.ROLE_STANDBY);
    Map<String, EnvVar> env =
        pod.getSpec().getContainers().get(0).getEnv().stream()
            .collect(Collectors.toMap(EnvVar::getName, e -> e));
    assertThat(env.get("SIBUS_ENGINE_INITIAL_STATE").getValue()).isEqualTo("STOPPED");
    assertThat(env.get("SIBUS_ENGINE_ELECTION").getValue()).isEqualTo("kubernetes");
    assertThat(env.get("SIBUS_DATASTORE_SCHEMA").getValue()).isEqualTo("sibus_me1");
    assertThat(env.get("SIBUS_ENGINE_MAX_MESSAGE_SIZE").getValue()).isEqualTo("65536");
    assertThat(env.get("QUARKUS_DATASOURCE_PASSWORD").getValueFrom().getSecretKeyRef().getName())
        .isEqualTo("pg");
    assertThat(env.get("SIBUS_BUS_SECRET").getValueFrom().getSecretKeyRef().getName())
        .isEqualTo("demo-bus-secret");
    assertThat(env.get("SIBUS_ENGINE_MEMBER").getValueFrom().getFieldRef().getFieldPath())
        .isEqualTo("metadata.name");
    assertThat(pod.getSpec().getContainers().get(0).getReadinessProbe().getHttpGet().getPath())
        .isEqualTo("/q/health/group/member");
  }

  @Test
  void theServiceRoutesToTheActiveMemberByLabel() {
    var service = EngineResources.service(engine("me1", "demo"), 8080);
    assertThat(service.getSpec().getSelector())
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(Labels.ENGINE, "me1", Labels.ROLE, Labels.ROLE_ACTIVE));
  }

  @Test
  void theBusFileListsEnginesAndDestinationsInAStableOrder() {
    Destination orders = new Destination();
    orders.setMetadata(new ObjectMetaBuilder().withName("orders").build());
    DestinationSpec spec = new DestinationSpec();
    spec.setBus("demo");
    spec.setLocalizedOn("me2");
    orders.setSpec(spec);
    String yaml =
        BusConfigMaps.render(
            "demo",
            null,
            List.of(engine("me2", "demo"), engine("me1", "demo")),
            List.of(orders),
            Map.of("me1", "10.96.0.10"),
            8080);
    assertThat(yaml)
        .isEqualTo(
            """
            bus: "demo"
            engines:
            - name: "me1"
              urls:
              - "http://10.96.0.10:8080"
            - name: "me2"
              urls:
              - "http://me2:8080"
            destinations:
            - name: "orders"
              type: "Queue"
              localizedOn: "me2"
              defaultReliability: "ASSURED_PERSISTENT"
              maxRedeliveries: 5
            """);
  }

  static MessagingEngine engine(String name, String bus) {
    MessagingEngine me = new MessagingEngine();
    me.setMetadata(
        new ObjectMetaBuilder().withName(name).withNamespace("ns").withUid("uid-" + name).build());
    MessagingEngineSpec spec = new MessagingEngineSpec();
    spec.setBus(bus);
    DataStoreSpec store = new DataStoreSpec();
    store.setJdbcUrl("jdbc:postgresql://pg:5432/sibus");
    store.setCredentialsSecret("pg");
    spec.setDataStore(store);
    me.setSpec(spec);
    return me;
  }
}
