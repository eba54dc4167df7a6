package io.sibus.operator.reconciler;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.sibus.crds.v1alpha1.DataStoreSpec;
import io.sibus.crds.v1alpha1.MessagingEngine;
import io.sibus.operator.admin.EngineAdmin;
import io.sibus.operator.kube.EventRecorder;
import io.sibus.operator.model.EngineResources;
import io.sibus.operator.model.MemberPods;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.SQLException;

/**
 * Deleting a MessagingEngine: members stopped, then everything the operator made removed by the
 * operator itself (no reliance on garbage collection), tables kept or dropped as asked.
 */
@ApplicationScoped
public class EngineDeletion {
  private final KubernetesClient client;
  private final MemberPodSet pods;
  private final MemberObserver observer;
  private final EngineAdmin admin;
  private final TableDropper tables;
  private final BusConfigSync busConfig;
  private final EventRecorder events;

  public EngineDeletion(
      KubernetesClient client,
      MemberPodSet pods,
      MemberObserver observer,
      EngineAdmin admin,
      TableDropper tables,
      BusConfigSync busConfig,
      EventRecorder events) {
    this.client = client;
    this.pods = pods;
    this.observer = observer;
    this.admin = admin;
    this.tables = tables;
    this.busConfig = busConfig;
    this.events = events;
  }

  void delete(MessagingEngine me) {
    String namespace = me.getMetadata().getNamespace();
    String name = me.getMetadata().getName();
    pods.list(me).stream().map(observer::url).filter(u -> u != null).forEach(admin::stop);
    pods.deleteAll(me);
    client.services().inNamespace(namespace).withName(name).delete();
    client.leases().inNamespace(namespace).withName(name).delete();
    client.policy().v1().podDisruptionBudget().inNamespace(namespace).withName(name).delete();
    String account = EngineResources.memberAccount(name);
    client.rbac().roleBindings().inNamespace(namespace).withName(account).delete();
    client.rbac().roles().inNamespace(namespace).withName(account).delete();
    client.serviceAccounts().inNamespace(namespace).withName(account).delete();
    if (me.getSpec() != null && me.getSpec().getBus() != null) {
      busConfig.sync(namespace, me.getSpec().getBus());
    }
    if (me.getSpec() == null || me.getSpec().getDataStore() == null) {
      return;
    }
    String schema = MemberPods.schema(me);
    if (me.getSpec().getDataStore().getOnDelete() == DataStoreSpec.OnDelete.Drop) {
      try {
        tables.drop(me);
        events.normal(
            me,
            "TablesDropped",
            "the data store tables in schema " + schema + " were dropped (onDelete: Drop)");
      } catch (SQLException e) {
        events.warning(
            me,
            "TablesNotDropped",
            "dropping schema "
                + schema
                + " failed: "
                + e.getMessage()
                + "; remove them with 'sibus ddl --schema "
                + schema
                + " --drop'");
      }
    } else {
      events.normal(
          me,
          "TablesRetained",
          "the data store tables in schema " + schema + " are kept (onDelete: Retain)");
    }
  }
}
