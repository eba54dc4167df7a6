package io.sibus.operator.model;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetBuilder;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBuilder;
import io.sibus.crds.v1alpha1.MessagingEngine;
import io.sibus.operator.Labels;
import java.util.Map;

/**
 * What an engine has besides its pods: the Service (routing to the active member by label), the
 * Lease, a disruption budget, and its members' ServiceAccount with least-privilege RBAC.
 */
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

  /** At most one member away at a time, so a drain never takes the active and its standby. */
  public static PodDisruptionBudget disruptionBudget(MessagingEngine me) {
    String engine = me.getMetadata().getName();
    return new PodDisruptionBudgetBuilder()
        .withNewMetadata()
        .withName(engine)
        .withNamespace(me.getMetadata().getNamespace())
        .withLabels(Labels.member(me.getSpec().getBus(), engine))
        .endMetadata()
        .withNewSpec()
        .withMaxUnavailable(new IntOrString(1))
        .withNewSelector()
        .withMatchLabels(Map.of(Labels.ENGINE, engine))
        .endSelector()
        .endSpec()
        .build();
  }

  /** The ServiceAccount of an engine's members. */
  public static String memberAccount(String engine) {
    return engine + "-member";
  }

  public static ServiceAccount serviceAccount(MessagingEngine me) {
    return new ServiceAccountBuilder()
        .withNewMetadata()
        .withName(memberAccount(me.getMetadata().getName()))
        .withNamespace(me.getMetadata().getNamespace())
        .withLabels(Labels.member(me.getSpec().getBus(), me.getMetadata().getName()))
        .endMetadata()
        .build();
  }

  /**
   * Least privilege for members: get and update their own engine's Lease, read their bus ConfigMap.
   * Nothing else of the API.
   */
  public static Role role(MessagingEngine me) {
    String engine = me.getMetadata().getName();
    return new RoleBuilder()
        .withNewMetadata()
        .withName(memberAccount(engine))
        .withNamespace(me.getMetadata().getNamespace())
        .withLabels(Labels.member(me.getSpec().getBus(), engine))
        .endMetadata()
        .addNewRule()
        .withApiGroups("coordination.k8s.io")
        .withResources("leases")
        .withResourceNames(engine)
        .withVerbs("get", "update", "patch")
        .endRule()
        .addNewRule()
        .withApiGroups("")
        .withResources("configmaps")
        .withResourceNames(BusConfigMaps.name(me.getSpec().getBus()))
        .withVerbs("get", "watch", "list")
        .endRule()
        .build();
  }

  public static RoleBinding roleBinding(MessagingEngine me) {
    String account = memberAccount(me.getMetadata().getName());
    return new RoleBindingBuilder()
        .withNewMetadata()
        .withName(account)
        .withNamespace(me.getMetadata().getNamespace())
        .withLabels(Labels.member(me.getSpec().getBus(), me.getMetadata().getName()))
        .endMetadata()
        .withNewRoleRef()
        .withApiGroup("rbac.authorization.k8s.io")
        .withKind("Role")
        .withName(account)
        .endRoleRef()
        .addNewSubject()
        .withKind("ServiceAccount")
        .withName(account)
        .withNamespace(me.getMetadata().getNamespace())
        .endSubject()
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
