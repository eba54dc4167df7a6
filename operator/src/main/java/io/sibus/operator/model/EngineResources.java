package io.sibus.operator.model;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.sibus.crds.v1alpha1.MessagingEngine;
import io.sibus.operator.Labels;
import java.util.Map;

/** The Service (routing to the active member by label) and the Lease of an engine. */
public final class EngineResources {
  private EngineResources() {}

  public static Service service(MessagingEngine me, int port) {
    String engine = me.getMetadata().getName();
    return new ServiceBuilder()
        .withNewMetadata()
        .withName(engine)
        .withNamespace(me.getMetadata().getNamespace())
        .withLabels(Labels.member(me.getSpec().getBus(), engine))
        .endMetadata()
        .withNewSpec()
        .withSelector(Map.of(Labels.ENGINE, engine, Labels.ROLE, Labels.ROLE_ACTIVE))
        .addNewPort()
        .withName("http")
        .withPort(port)
        .withNewTargetPort(port)
        .endPort()
        .endSpec()
        .build();
  }

  public static Lease lease(MessagingEngine me) {
    String engine = me.getMetadata().getName();
    return new LeaseBuilder()
        .withNewMetadata()
        .withName(engine)
        .withNamespace(me.getMetadata().getNamespace())
        .withLabels(Labels.member(me.getSpec().getBus(), engine))
        .endMetadata()
        .withNewSpec()
        .withLeaseDurationSeconds(me.getSpec().getFailover().getLeaseDurationSeconds())
        .endSpec()
        .build();
  }
}
