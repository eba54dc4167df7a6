package io.sibus.operator.reconciler;

import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.sibus.crds.v1alpha1.Bus;
import io.sibus.crds.v1alpha1.BusStatus;
import io.sibus.crds.v1alpha1.MessagingEngine;
import io.sibus.operator.OperatorConfig;
import io.sibus.operator.kube.StatusWriter;
import io.sibus.operator.status.Conditions;
import java.time.Instant;
import java.util.List;

/** Reconciles a Bus: its ConfigMap, and its status aggregated from its engines. */
@ControllerConfiguration(name = "bus")
public class BusReconciler implements Reconciler<Bus> {
  private final BusConfigSync busConfig;
  private final StatusWriter statusWriter;
  private final OperatorConfig config;

  public BusReconciler(BusConfigSync busConfig, StatusWriter statusWriter, OperatorConfig config) {
    this.busConfig = busConfig;
    this.statusWriter = statusWriter;
    this.config = config;
  }

  @Override
  public UpdateControl<Bus> reconcile(Bus bus, Context<Bus> context) {
    String namespace = bus.getMetadata().getNamespace();
    busConfig.sync(namespace, bus.getMetadata().getName());
    List<MessagingEngine> engines = busConfig.engines(namespace, bus.getMetadata().getName());
    BusStatus status = new BusStatus();
    long generation =
        bus.getMetadata().getGeneration() == null ? 0 : bus.getMetadata().getGeneration();
    status.setObservedGeneration(generation);
    long running = 0;
    for (MessagingEngine e : engines) {
      String phase = e.getStatus() == null ? "Pending" : e.getStatus().getPhase();
      String active = e.getStatus() == null ? null : e.getStatus().getActiveMember();
      status
          .getEngines()
          .add(new BusStatus.EngineSummary(e.getMetadata().getName(), phase, active));
      if ("Running".equals(phase) || "Degraded".equals(phase)) {
        running++;
      }
    }
    status.setEnginesReady(running + "/" + engines.size());
    status.setPhase(
        engines.isEmpty() ? "Pending" : running == engines.size() ? "Running" : "Degraded");
    Conditions conditions =
        new Conditions(
            bus.getStatus() == null ? null : bus.getStatus().getConditions(),
            generation,
            Instant.now());
    conditions.set(
        "Ready",
        !engines.isEmpty() && running == engines.size(),
        engines.isEmpty()
            ? "NoEngines"
            : running == engines.size() ? "EnginesServing" : "EnginesNotServing",
        status.getEnginesReady() + " engines serving");
    status.setConditions(conditions.build());
    statusWriter.write(Bus.class, bus, status);
    return UpdateControl.<Bus>noUpdate()
        .rescheduleAfter(config.reconcileInterval().multipliedBy(2));
  }
}
