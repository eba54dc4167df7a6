package io.sibus.operator.reconciler;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Cleaner;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.sibus.crds.v1alpha1.Bus;
import io.sibus.crds.v1alpha1.MessagingEngine;
import io.sibus.crds.v1alpha1.MessagingEngineSpec;
import io.sibus.crds.v1alpha1.MessagingEngineStatus;
import io.sibus.operator.Labels;
import io.sibus.operator.OperatorConfig;
import io.sibus.operator.kube.EventRecorder;
import io.sibus.operator.kube.StatusWriter;
import io.sibus.operator.model.EngineResources;
import io.sibus.operator.policy.Decision;
import io.sibus.operator.policy.FailoverPolicy;
import io.sibus.operator.policy.Maintenance;
import io.sibus.operator.policy.MaintenancePlan;
import io.sibus.operator.policy.MemberView;
import io.sibus.operator.status.EngineStatusAggregator;
import java.time.Instant;
import java.util.List;
import java.util.Set;

/**
 * Reconciles a MessagingEngine into its member pods, Service, Lease and bus ConfigMap, then lets
 * the pure policies decide: {@link Maintenance} (initial state and annotation tokens) and {@link
 * FailoverPolicy} (who serves). This class only orchestrates; {@link EngineActions} carries the
 * decisions out and {@link EngineStatusAggregator} builds the status.
 */
@ControllerConfiguration(name = "messagingengine")
public class MessagingEngineReconciler
    implements Reconciler<MessagingEngine>, Cleaner<MessagingEngine> {
  private final KubernetesClient client;
  private final OperatorConfig config;
  private final MemberPodSet pods;
  private final MemberObserver observer;
  private final EngineLeases leases;
  private final EngineActions actions;
  private final BusConfigSync busConfig;
  private final StatusWriter statusWriter;
  private final EventRecorder events;
  private final EngineDeletion deletion;

  public MessagingEngineReconciler(
      KubernetesClient client,
      OperatorConfig config,
      MemberPodSet pods,
      MemberObserver observer,
      EngineLeases leases,
      EngineActions actions,
      BusConfigSync busConfig,
      StatusWriter statusWriter,
      EventRecorder events,
      EngineDeletion deletion) {
    this.client = client;
    this.config = config;
    this.pods = pods;
    this.observer = observer;
    this.leases = leases;
    this.actions = actions;
    this.busConfig = busConfig;
    this.statusWriter = statusWriter;
    this.events = events;
    this.deletion = deletion;
  }

  /** Member pods and Leases wake the engine they belong to (by the engine label). */
  @Override
  public List<EventSource<?, MessagingEngine>> prepareEventSources(
      EventSourceContext<MessagingEngine> context) {
    return List.of(
        new InformerEventSource<>(
            InformerEventSourceConfiguration.from(Pod.class, MessagingEngine.class)
                .withName("member-pods")
                .withLabelSelector(Labels.ENGINE)
                .withSecondaryToPrimaryMapper(
                    pod ->
                        Set.of(
                            new ResourceID(
                                pod.getMetadata().getLabels().get(Labels.ENGINE),
                                pod.getMetadata().getNamespace())))
                .build(),
            context),
        new InformerEventSource<>(
            InformerEventSourceConfiguration.from(Lease.class, MessagingEngine.class)
                .withName("engine-leases")
                .withLabelSelector(Labels.ENGINE)
                .withSecondaryToPrimaryMapper(
                    lease ->
                        Set.of(
                            new ResourceID(
                                lease.getMetadata().getName(), lease.getMetadata().getNamespace())))
                .build(),
            context));
  }

  @Override
  public UpdateControl<MessagingEngine> reconcile(
      MessagingEngine cached, Context<MessagingEngine> context) {
    // The status records what was already done (observed tokens, a failover under way): read it
    // fresh, since the informer's copy may not yet show this operator's last status write.
    MessagingEngine me =
        client
            .resources(MessagingEngine.class)
            .inNamespace(cached.getMetadata().getNamespace())
            .withName(cached.getMetadata().getName())
            .get();
    if (me == null) {
      return UpdateControl.noUpdate();
    }
    MessagingEngineStatus previous = me.getStatus();
    if ("true".equals(annotation(me, MessagingEngine.PAUSE_RECONCILIATION))) {
      return statusOnly(me, EngineStatusAggregator.paused(previous, generation(me), Instant.now()));
    }
    String problem = problem(me);
    if (problem != null) {
      EngineStatusAggregator.Inputs inputs =
          actions.inputs(me, problem, List.of(), null, null, false, null);
      return statusOnly(me, EngineStatusAggregator.aggregate(previous, inputs, Instant.now()));
    }
    MessagingEngineStatus next = runMembers(me, previous);
    actions.announce(me, previous, next);
    statusWriter.write(MessagingEngine.class, me, next);
    return UpdateControl.<MessagingEngine>noUpdate().rescheduleAfter(config.reconcileInterval());
  }

  /**
   * The engine's supporting resources, Lease, bus configuration and member pods; the maintenance
   * actions and the failover decision carried out. Returns the status they give.
   */
  private MessagingEngineStatus runMembers(MessagingEngine me, MessagingEngineStatus previous) {
    MessagingEngineSpec spec = me.getSpec();
    ensureSupporting(me);
    Lease lease = ensureLease(me);
    busConfig.sync(me.getMetadata().getNamespace(), spec.getBus());
    List<Pod> current = pods.list(me);
    pods.scale(me, current);
    List<MemberView> members = observer.observe(current);

    boolean started = spec.getInitialState() != MessagingEngineSpec.InitialState.Stopped;
    MaintenancePlan plan = actions.plan(me, started, members);
    actions.carryOut(me, plan, lease, members);
    Decision decision =
        plan.inProgress() || !started
            ? null
            : FailoverPolicy.decide(
                members,
                EngineLeases.holder(lease),
                EngineLeases.suppressed(lease) && !plan.liftSuppression());
    var failover = actions.apply(me, decision, plan, lease, current);
    EngineStatusAggregator.Inputs inputs =
        actions.inputs(me, null, members, decision, plan, started, failover);
    return EngineStatusAggregator.aggregate(previous, inputs, Instant.now());
  }

  /** Writes {@code status} and nothing else; looked at again later (paused, or a spec mistake). */
  private UpdateControl<MessagingEngine> statusOnly(
      MessagingEngine me, MessagingEngineStatus status) {
    statusWriter.write(MessagingEngine.class, me, status);
    return UpdateControl.<MessagingEngine>noUpdate()
        .rescheduleAfter(config.reconcileInterval().multipliedBy(5));
  }

  @Override
  public DeleteControl cleanup(MessagingEngine me, Context<MessagingEngine> context) {
    deletion.delete(me);
    return DeleteControl.defaultDelete();
  }

  /** Mistakes the schema cannot catch: they give Ready=False with a reason, not a crash. */
  private String problem(MessagingEngine me) {
    if (me.getSpec() == null
        || me.getSpec().getBus() == null
        || me.getSpec().getDataStore() == null) {
      return "spec.bus and spec.dataStore are required";
    }
    Bus bus =
        client
            .resources(Bus.class)
            .inNamespace(me.getMetadata().getNamespace())
            .withName(me.getSpec().getBus())
            .get();
    return bus == null
        ? "Bus " + me.getSpec().getBus() + " does not exist in this namespace"
        : null;
  }

  /** The Service, disruption budget and member RBAC: created when missing, never changed. */
  private void ensureSupporting(MessagingEngine me) {
    int port = config.enginePort();
    for (HasMetadata wanted :
        List.of(
            EngineResources.service(me, port),
            EngineResources.disruptionBudget(me),
            EngineResources.serviceAccount(me),
            EngineResources.role(me),
            EngineResources.roleBinding(me))) {
      if (client.resource(wanted).get() == null) {
        client.resource(wanted).create();
      }
    }
  }

  private Lease ensureLease(MessagingEngine me) {
    Lease lease = leases.get(me.getMetadata().getNamespace(), me.getMetadata().getName());
    if (lease == null) {
      lease =
          client
              .leases()
              .inNamespace(me.getMetadata().getNamespace())
              .resource(EngineResources.lease(me))
              .create();
    }
    return lease;
  }

  static String annotation(MessagingEngine me, String key) {
    var annotations = me.getMetadata().getAnnotations();
    return annotations == null ? null : annotations.get(key);
  }

  private static long generation(MessagingEngine me) {
    return me.getMetadata().getGeneration() == null ? 0 : me.getMetadata().getGeneration();
  }
}
