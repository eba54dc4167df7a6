package io.sibus.operator.reconciler;

import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.quarkus.test.Mock;
import io.sibus.operator.Labels;
import io.sibus.operator.admin.EngineAdmin;
import io.sibus.operator.admin.EngineReport;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Stand-ins for the engine members and the kubelet, for operator tests on the test API server: pods
 * get an address and a running container, and each member answers the admin API from a small state
 * machine that follows the real engine (started stopped; a standby becomes active when the Lease
 * is, or can be, its own; a recovery start ends stopped; stop releases the Lease). The real engines
 * meet the real operator in the end-to-end tests.
 */
@Mock
@ApplicationScoped
public class FakeEngines implements EngineAdmin {
  /** One simulated member. */
  public static final class Member {
    volatile String state = "STOPPED";
    volatile String startMode = "NORMAL";
    volatile String pendingMode = "NORMAL";
    volatile String errorClass;
    volatile String errorCode;
    final String engine;
    final String name;

    Member(String engine, String name) {
      this.engine = engine;
      this.name = name;
    }
  }

  private final KubernetesClient client;
  private final Map<String, Member> byName = new ConcurrentHashMap<>();
  private final Map<String, String> nameByIp = new ConcurrentHashMap<>();
  private final List<String> calls = new CopyOnWriteArrayList<>();
  private final AtomicInteger addresses = new AtomicInteger();
  private final Set<String> flushesHeld = ConcurrentHashMap.newKeySet();
  private ScheduledExecutorService ticker;

  public FakeEngines(KubernetesClient client) {
    this.client = client;
  }

  public synchronized void run() {
    if (ticker == null) {
      ticker = Executors.newSingleThreadScheduledExecutor();
      ticker.scheduleWithFixedDelay(this::tick, 50, 100, TimeUnit.MILLISECONDS);
    }
  }

  private void tick() {
    try {
      List<Pod> pods = client.pods().inAnyNamespace().withLabel(Labels.ENGINE).list().getItems();
      for (Pod pod : pods) {
        String name = pod.getMetadata().getName();
        if (pod.getStatus() == null || pod.getStatus().getPodIP() == null) {
          start(pod);
        }
        Member m = byName.get(name);
        if (m != null && "STANDBY".equals(m.state)) {
          maybeActivate(pod.getMetadata().getNamespace(), m);
        }
        if (m != null && "ACTIVE".equals(m.state)) {
          Lease lease = lease(pod.getMetadata().getNamespace(), m.engine);
          if (lease != null && !m.name.equals(lease.getSpec().getHolderIdentity())) {
            m.state = "STANDBY"; // lost the Lease: a real member would stop and restart
          }
        }
      }
      byName
          .keySet()
          .removeIf(n -> pods.stream().noneMatch(p -> p.getMetadata().getName().equals(n)));
    } catch (RuntimeException e) {
      // the next tick tries again
    }
  }

  /** What a kubelet does when it starts a pod. */
  private void start(Pod pod) {
    String ip = "10.0.0." + addresses.incrementAndGet();
    pod.setStatus(
        new PodStatusBuilder()
            .withPhase("Running")
            .withPodIP(ip)
            .withContainerStatuses(
                new ContainerStatusBuilder()
                    .withName("engine")
                    .withRestartCount(0)
                    .withReady(true)
                    .withNewState()
                    .withNewRunning()
                    .withStartedAt(ZonedDateTime.now(ZoneOffset.UTC).toString())
                    .endRunning()
                    .endState()
                    .build())
            .withConditions(new PodConditionBuilder().withType("Ready").withStatus("True").build())
            .build());
    client.pods().inNamespace(pod.getMetadata().getNamespace()).resource(pod).updateStatus();
    String engine = pod.getMetadata().getLabels().get(Labels.ENGINE);
    byName.put(pod.getMetadata().getName(), new Member(engine, pod.getMetadata().getName()));
    nameByIp.put(ip, pod.getMetadata().getName());
  }

  private void maybeActivate(String namespace, Member m) {
    Lease lease = lease(namespace, m.engine);
    if (lease == null
        || (lease.getMetadata().getAnnotations() != null
            && lease.getMetadata().getAnnotations().containsKey(Labels.FAILOVER_SUPPRESSED))) {
      return;
    }
    String holder = lease.getSpec().getHolderIdentity();
    if (holder == null || holder.isBlank()) {
      lease.getSpec().setHolderIdentity(m.name);
      try {
        client.leases().inNamespace(namespace).resource(lease).update();
      } catch (KubernetesClientException conflict) {
        return;
      }
      holder = m.name;
    }
    if (holder.equals(m.name)) {
      m.startMode = m.pendingMode;
      m.state = "ACTIVE";
    }
  }

  private boolean suppressed(Member m) {
    return client
        .pods()
        .inAnyNamespace()
        .withLabel(Labels.ENGINE, m.engine)
        .list()
        .getItems()
        .stream()
        .findFirst()
        .map(p -> lease(p.getMetadata().getNamespace(), m.engine))
        .map(
            l ->
                l.getMetadata().getAnnotations() != null
                    && l.getMetadata().getAnnotations().containsKey(Labels.FAILOVER_SUPPRESSED))
        .orElse(false);
  }

  private Lease lease(String namespace, String engine) {
    return client.leases().inNamespace(namespace).withName(engine).get();
  }

  private Member at(String url) {
    String ip = url.substring("http://".length(), url.lastIndexOf(':'));
    String name = nameByIp.get(ip);
    return name == null ? null : byName.get(name);
  }

  @Override
  public EngineReport report(String url) {
    Member m = at(url);
    if (m == null) {
      return EngineReport.UNREACHABLE;
    }
    // Like a real member, a standby sees a suppressed Lease and reports failover suppressed.
    return new EngineReport(
        m.state,
        m.startMode,
        null,
        "GLOBAL_ERROR".equals(m.state) || suppressed(m),
        m.errorClass,
        m.errorCode,
        m.errorCode == null ? null : "simulated",
        false,
        flushesHeld.contains(m.engine) && "RESTART_AFTER_RESTORE".equals(m.startMode)
            ? "IN_PROGRESS"
            : null);
  }

  @Override
  public boolean start(String url, String mode) {
    Member m = at(url);
    if (m == null) {
      return false;
    }
    calls.add("start " + m.name + " " + mode);
    m.errorClass = null;
    m.errorCode = null;
    if ("RECOVERY".equals(mode)) {
      m.startMode = "RECOVERY";
      m.state = "STOPPED"; // a recovery start resolves in-doubt work, then stops
    } else {
      m.pendingMode = mode;
      m.state = "STANDBY";
    }
    return true;
  }

  @Override
  public boolean stop(String url) {
    Member m = at(url);
    if (m == null) {
      return false;
    }
    calls.add("stop " + m.name);
    m.state = "STOPPED";
    // a clean stop gives the Lease back
    client.pods().inAnyNamespace().withLabel(Labels.ENGINE, m.engine).list().getItems().stream()
        .findFirst()
        .map(p -> lease(p.getMetadata().getNamespace(), m.engine))
        .filter(l -> m.name.equals(l.getSpec().getHolderIdentity()))
        .ifPresent(
            l -> {
              l.getSpec().setHolderIdentity(null);
              try {
                client.leases().inNamespace(l.getMetadata().getNamespace()).resource(l).update();
              } catch (KubernetesClientException ignored) {
                // the operator hands it on anyway
              }
            });
    return true;
  }

  @Override
  public long depth(String url, String destination) {
    return at(url) == null ? -1 : 7;
  }

  /** Test controls. */
  public String state(String member) {
    Member m = byName.get(member);
    return m == null ? null : m.state;
  }

  public void fail(String member, String state, String errorClass, String code) {
    Member m = byName.get(member);
    m.state = state;
    m.errorClass = errorClass;
    m.errorCode = code;
  }

  /** The engine's restart-after-restore flush waits (as for an unreachable peer) until released. */
  public void holdFlush(String engine) {
    flushesHeld.add(engine);
  }

  /** The engine's flush completes as soon as it starts again. */
  public void releaseFlush(String engine) {
    flushesHeld.remove(engine);
  }

  public List<String> calls() {
    return calls;
  }
}
