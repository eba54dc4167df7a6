package io.sibus.operator.reconciler;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.api.reconciler.Cleaner;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.sibus.crds.v1alpha1.Bus;
import io.sibus.crds.v1alpha1.Destination;
import io.sibus.crds.v1alpha1.DestinationStatus;
import io.sibus.crds.v1alpha1.MessagingEngine;
import io.sibus.operator.Labels;
import io.sibus.operator.OperatorConfig;
import io.sibus.operator.admin.EngineAdmin;
import io.sibus.operator.kube.StatusWriter;
import io.sibus.operator.status.Conditions;
import java.time.Instant;

/**
 * Reconciles a Destination into its bus's ConfigMap (where every member of every engine of the bus
 * reads it) and reports its depth from the engine it is localized on.
 */
@ControllerConfiguration(name = "destination")
public class DestinationReconciler implements Reconciler<Destination>, Cleaner<Destination> {
  private final KubernetesClient client;
  private final BusConfigSync busConfig;
  private final EngineAdmin admin;
  private final MemberObserver observer;
  private final StatusWriter statusWriter;
  private final OperatorConfig config;

  public DestinationReconciler(
      KubernetesClient client,
      BusConfigSync busConfig,
      EngineAdmin admin,
      MemberObserver observer,
      StatusWriter statusWriter,
      OperatorConfig config) {
    this.client = client;
    this.busConfig = busConfig;
    this.admin = admin;
    this.observer = observer;
    this.statusWriter = statusWriter;
    this.config = config;
  }

  @Override
  public UpdateControl<Destination> reconcile(Destination d, Context<Destination> context) {
    String namespace = d.getMetadata().getNamespace();
    DestinationStatus status = new DestinationStatus();
    long generation = d.getMetadata().getGeneration() == null ? 0 : d.getMetadata().getGeneration();
    status.setObservedGeneration(generation);
    Conditions conditions =
        new Conditions(
            d.getStatus() == null ? null : d.getStatus().getConditions(),
            generation,
            Instant.now());
    String bus = d.getSpec().getBus();
    String engine = d.getSpec().getLocalizedOn();
    MessagingEngine me =
        client.resources(MessagingEngine.class).inNamespace(namespace).withName(engine).get();
    if (client.resources(Bus.class).inNamespace(namespace).withName(bus).get() == null) {
      conditions.set(
          "Ready", false, "BusNotFound", "Bus " + bus + " does not exist in this namespace");
    } else if (me == null || !bus.equals(me.getSpec().getBus())) {
      conditions.set(
          "Ready",
          false,
          "EngineNotFound",
          "MessagingEngine " + engine + " of bus " + bus + " does not exist");
    } else {
      busConfig.sync(namespace, bus);
      long depth = depth(namespace, engine, d.getMetadata().getName());
      status.setDepth(
          // Unknown now (no active member answered): keep the last depth known, if any.
          depth < 0
              ? (d.getStatus() == null ? null : d.getStatus().getDepth())
              : Long.valueOf(depth));
      conditions.set(
          "Ready",
          depth >= 0,
          depth >= 0 ? "Serving" : "EngineNotActive",
          depth >= 0 ? null : "no active member of " + engine + " answered");
    }
    status.setConditions(conditions.build());
    statusWriter.write(Destination.class, d, status);
    return UpdateControl.<Destination>noUpdate()
        .rescheduleAfter(config.reconcileInterval().multipliedBy(5));
  }

  @Override
  public DeleteControl cleanup(Destination d, Context<Destination> context) {
    busConfig.sync(d.getMetadata().getNamespace(), d.getSpec().getBus());
    return DeleteControl.defaultDelete();
  }

  private long depth(String namespace, String engine, String destination) {
    for (Pod pod :
        client
            .pods()
            .inNamespace(namespace)
            .withLabel(Labels.ENGINE, engine)
            .withLabel(Labels.ROLE, Labels.ROLE_ACTIVE)
            .list()
            .getItems()) {
      String url = observer.url(pod);
      if (url != null) {
        return admin.depth(url, destination);
      }
    }
    return -1;
  }
}
