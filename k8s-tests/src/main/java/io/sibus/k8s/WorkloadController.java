package io.sibus.k8s;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.BiConsumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Deployment and StatefulSet controllers of the local cluster (and its garbage collector for
 * their pods): keeps {@code spec.replicas} pods made from each workload's template, replaces pods
 * that are deleted (and, for a Deployment, pods that ended), deletes extra pods, deletes the pods
 * of a deleted workload, and writes the workload's status. StatefulSet pods are created in order,
 * each once the one before is ready ({@code OrderedReady}, or all at once with {@code Parallel}),
 * and removed highest ordinal first.
 *
 * <p>Not done: rolling updates (a changed template applies to pods created from then on; existing
 * pods are not replaced), ReplicaSets (pods are owned by the Deployment directly),
 * volumeClaimTemplates (the pod runner keeps data per pod name), minReadySeconds, and update
 * strategies and partitions.
 *
 * <p>Decisions are taken on lists read from the API, not on informer caches: the cache may not yet
 * show the pod just created, and a controller that trusts it creates too many. The informers only
 * trigger reconciles, which also run every second.
 */
public final class WorkloadController implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(WorkloadController.class);
  private static final Duration PERIOD = Duration.ofSeconds(1);
  private static final int CONFLICT_ATTEMPTS = 5;
  private static final String DEPLOYMENT = "Deployment";
  private static final String STATEFUL_SET = "StatefulSet";

  private final KubernetesClient client;
  private final WorkloadPods templates;
  private final ReconcileLoop loop;
  private final List<SharedIndexInformer<?>> informers = new ArrayList<>();

  private WorkloadController(KubernetesClient client) {
    this.client = client;
    this.templates = new WorkloadPods(client.getKubernetesSerialization());
    this.loop = new ReconcileLoop("workload-controller", this::reconcile);
  }

  /** Starts watching Deployments, StatefulSets and pods in all namespaces. */
  public static WorkloadController start(KubernetesClient client) {
    WorkloadController controller = new WorkloadController(client);
    ReconcileLoop loop = controller.loop;
    controller.informers.add(client.apps().deployments().inAnyNamespace().inform(loop.handler()));
    controller.informers.add(client.apps().statefulSets().inAnyNamespace().inform(loop.handler()));
    controller.informers.add(client.pods().inAnyNamespace().inform(loop.handler()));
    loop.start(PERIOD);
    return controller;
  }

  /** Stops reconciling; the pods stay. */
  @Override
  public void close() {
    loop.close();
    informers.forEach(SharedIndexInformer::stop);
  }

  private void reconcile() {
    List<Deployment> deployments = client.apps().deployments().inAnyNamespace().list().getItems();
    List<StatefulSet> statefulSets =
        client.apps().statefulSets().inAnyNamespace().list().getItems();
    List<Pod> pods = client.pods().inAnyNamespace().list().getItems();
    Set<String> owners = new HashSet<>();
    for (Deployment deployment : deployments) {
      owners.add(deployment.getMetadata().getUid());
      guarded(deployment, () -> reconcile(deployment, owned(pods, DEPLOYMENT, deployment)));
    }
    for (StatefulSet statefulSet : statefulSets) {
      owners.add(statefulSet.getMetadata().getUid());
      guarded(statefulSet, () -> reconcile(statefulSet, owned(pods, STATEFUL_SET, statefulSet)));
    }
    deleteOrphans(pods, owners);
  }

  private void reconcile(Deployment deployment, List<Pod> pods) {
    int desired = replicas(deployment.getSpec().getReplicas());
    boolean changed = false;
    List<Pod> live = new ArrayList<>();
    for (Pod pod : pods) {
      if (PodReadiness.isFinished(pod) && !PodReadiness.isTerminating(pod)) {
        delete(pod, "it has ended");
        changed = true;
      } else if (!PodReadiness.isTerminating(pod)) {
        live.add(pod);
      }
    }
    // Scale down as the ReplicaSet controller does: unready pods first, then the newest.
    live.sort(
        Comparator.comparing(PodReadiness::isReady)
            .thenComparing(
                p -> Objects.toString(p.getMetadata().getCreationTimestamp(), ""),
                Comparator.reverseOrder()));
    for (int i = 0; i < live.size() - desired; i++) {
      delete(live.get(i), "the deployment has too many");
      changed = true;
    }
    for (int i = live.size(); i < desired; i++) {
      create(templates.deploymentPod(deployment, deployment.getSpec().getTemplate()));
      changed = true;
    }
    List<Pod> now = changed ? livePods(DEPLOYMENT, deployment) : live;
    String hash = templates.templateHash(deployment.getSpec().getTemplate());
    writeStatus(
        deployment,
        WorkloadStatuses.deployment(deployment, desired, hash, now),
        Deployment::getStatus,
        Deployment::setStatus);
  }

  private void reconcile(StatefulSet statefulSet, List<Pod> pods) {
    int desired = replicas(statefulSet.getSpec().getReplicas());
    boolean parallel = "Parallel".equals(statefulSet.getSpec().getPodManagementPolicy());
    TreeMap<Integer, Pod> byOrdinal = new TreeMap<>(Comparator.reverseOrder());
    pods.forEach(pod -> byOrdinal.put(ordinal(statefulSet, pod), pod));
    boolean changed =
        scaleDown(byOrdinal, desired, parallel)
            || scaleUp(statefulSet, byOrdinal, desired, parallel);
    List<Pod> now = changed ? livePods(STATEFUL_SET, statefulSet) : live(pods);
    String revision = templates.revision(statefulSet, statefulSet.getSpec().getTemplate());
    writeStatus(
        statefulSet,
        WorkloadStatuses.statefulSet(statefulSet, revision, now),
        StatefulSet::getStatus,
        StatefulSet::setStatus);
  }

  /**
   * Deletes pods beyond {@code desired}, highest ordinal first and (unless parallel) one at a time,
   * the next once the previous is gone. Pods with no ordinal count as the highest.
   */
  private boolean scaleDown(TreeMap<Integer, Pod> byOrdinal, int desired, boolean parallel) {
    List<Pod> extra = new ArrayList<>(byOrdinal.headMap(desired - 1).values());
    if (extra.isEmpty()) {
      return false;
    }
    if (!parallel && extra.stream().anyMatch(PodReadiness::isTerminating)) {
      return true; // wait for it to go
    }
    for (Pod pod : parallel ? extra : extra.subList(0, 1)) {
      if (!PodReadiness.isTerminating(pod)) {
        delete(pod, "the stateful set has too many");
      }
    }
    return true;
  }

  /**
   * Creates the missing pods and replaces ended ones, lowest ordinal first; unless parallel, stops
   * at the first pod that is not (yet) ready.
   */
  private boolean scaleUp(
      StatefulSet statefulSet, TreeMap<Integer, Pod> byOrdinal, int desired, boolean parallel) {
    boolean changed = false;
    for (int ordinal = 0; ordinal < desired; ordinal++) {
      Pod pod = byOrdinal.get(ordinal);
      if (pod == null) {
        create(
            templates.statefulPod(
                statefulSet,
                statefulSet.getSpec().getTemplate(),
                statefulSet.getSpec().getServiceName(),
                ordinal));
        changed = true;
      } else if (PodReadiness.isFinished(pod) && !PodReadiness.isTerminating(pod)) {
        delete(pod, "it has ended; it is recreated");
        changed = true;
      }
      if (!parallel && (pod == null || !PodReadiness.isReady(pod))) {
        break;
      }
    }
    return changed;
  }

  /** {@code pod}'s ordinal in {@code statefulSet}, or MAX_VALUE if its name has none. */
  private static int ordinal(StatefulSet statefulSet, Pod pod) {
    String prefix = statefulSet.getMetadata().getName() + "-";
    String name = pod.getMetadata().getName();
    String suffix = name.startsWith(prefix) ? name.substring(prefix.length()) : "";
    return suffix.matches("0|[1-9][0-9]{0,8}") ? Integer.parseInt(suffix) : Integer.MAX_VALUE;
  }

  /** Deletes the pods of workloads that are gone: there is no garbage collector. */
  private void deleteOrphans(List<Pod> pods, Set<String> owners) {
    for (Pod pod : pods) {
      String owner = WorkloadPods.controllerUid(pod, DEPLOYMENT);
      owner = owner != null ? owner : WorkloadPods.controllerUid(pod, STATEFUL_SET);
      if (owner != null && !owners.contains(owner) && !PodReadiness.isTerminating(pod)) {
        guarded(pod, () -> delete(pod, "its workload is gone"));
      }
    }
  }

  /**
   * Writes {@code status} through the status subresource unless it is already there, retrying a
   * resourceVersion conflict on a fresh read.
   */
  private <T extends HasMetadata, S> void writeStatus(
      T workload, S status, Function<T, S> current, BiConsumer<T, S> set) {
    T latest = workload;
    for (int attempt = 1;
        latest != null && !Objects.equals(current.apply(latest), status);
        attempt++) {
      set.accept(latest, status);
      try {
        client.resource(latest).updateStatus();
        return;
      } catch (KubernetesClientException e) {
        if (e.getCode() != 409 || attempt == CONFLICT_ATTEMPTS) {
          throw e;
        }
        latest = client.resource(workload).get();
      }
    }
  }

  private List<Pod> livePods(String kind, HasMetadata workload) {
    String namespace = workload.getMetadata().getNamespace();
    List<Pod> pods = client.pods().inNamespace(namespace).list().getItems();
    return live(owned(pods, kind, workload));
  }

  private static List<Pod> live(List<Pod> pods) {
    return pods.stream()
        .filter(p -> !PodReadiness.isTerminating(p) && !PodReadiness.isFinished(p))
        .toList();
  }

  private static List<Pod> owned(List<Pod> pods, String kind, HasMetadata workload) {
    String uid = workload.getMetadata().getUid();
    return pods.stream().filter(p -> uid.equals(WorkloadPods.controllerUid(p, kind))).toList();
  }

  private static int replicas(Integer replicas) {
    return replicas == null ? 1 : replicas;
  }

  private void create(Pod pod) {
    client.pods().resource(pod).create();
    LOG.info("created pod {}/{}", pod.getMetadata().getNamespace(), pod.getMetadata().getName());
  }

  private void delete(Pod pod, String why) {
    client.pods().resource(pod).delete();
    LOG.info(
        "deleted pod {}/{}: {}",
        pod.getMetadata().getNamespace(),
        pod.getMetadata().getName(),
        why);
  }

  /** Runs {@code action}; a failure is logged and left to the next reconcile. */
  private static void guarded(HasMetadata subject, Runnable action) {
    try {
      action.run();
    } catch (KubernetesClientException e) {
      LOG.debug(
          "{} {} not reconciled yet: {}",
          subject.getKind(),
          subject.getMetadata().getName(),
          e.getMessage());
    }
  }
}
