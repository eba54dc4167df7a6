package io.sibus.k8s;

import io.fabric8.kubernetes.api.model.EndpointSubset;
import io.fabric8.kubernetes.api.model.Endpoints;
import io.fabric8.kubernetes.api.model.EndpointsBuilder;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * kube-proxy, the endpoints controller and cluster DNS of the local cluster. Each Service of type
 * ClusterIP (also NodePort and LoadBalancer, which have a cluster IP too; not ExternalName, not
 * headless) gets a loopback cluster IP, written to its spec, and a {@link TcpProxy} per TCP port on
 * that address, forwarding to the ready pods its selector matches (or, without a selector, to the
 * addresses of its Endpoints). When a pod stops being ready or goes away, its connections are cut.
 * Selector-based Services get their Endpoints written, as in a cluster. Service names resolve
 * through hosts files ({@link #registerHostsFile}).
 *
 * <p>State is read from informer caches; a reconcile of everything runs after each event and every
 * second, so that a missed event or a failed write heals.
 */
public final class ServiceController implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ServiceController.class);
  private static final Duration PERIOD = Duration.ofSeconds(1);

  /** The label the endpoints controller puts on the Endpoints it manages. */
  static final String MANAGED_ENDPOINTS = "endpointslice.kubernetes.io/skip-mirror";

  private final KubernetesClient client;
  private final IpAllocator ips;
  private final ReconcileLoop loop;
  private final HostsFiles hostsFiles = new HostsFiles();
  private final Map<ProxyKey, PortProxy> proxies = new HashMap<>();
  private final Set<ProxyKey> failedToListen = new HashSet<>();

  /** Addresses allocated but not yet stored, kept so that a lost update race wastes none. */
  private final Map<String, String> allocated = new HashMap<>();

  private SharedIndexInformer<Service> services;
  private SharedIndexInformer<Pod> pods;
  private SharedIndexInformer<Endpoints> endpoints;

  /** namespace/name of each Service with a cluster IP and listening proxies, to that IP. */
  private volatile Map<String, String> clusterIps = Map.of();

  private ServiceController(KubernetesClient client, IpAllocator ips) {
    this.client = client;
    this.ips = ips;
    this.loop = new ReconcileLoop("service-controller", this::reconcile);
  }

  /** Starts watching Services, pods and Endpoints in all namespaces. */
  public static ServiceController start(KubernetesClient client, IpAllocator ips) {
    ServiceController controller = new ServiceController(client, ips);
    ReconcileLoop loop = controller.loop;
    controller.services = client.services().inAnyNamespace().inform(loop.handler());
    controller.pods = client.pods().inAnyNamespace().inform(loop.handler());
    controller.endpoints = client.endpoints().inAnyNamespace().inform(loop.handler());
    controller.loop.start(PERIOD);
    return controller;
  }

  /** The cluster IP of a Service, once its proxies listen. */
  public Optional<String> clusterIp(String namespace, String name) {
    return Optional.ofNullable(clusterIps.get(namespace + "/" + name));
  }

  /**
   * Host name to cluster IP for every Service with one: {@code <name>.<ns>}, {@code
   * <name>.<ns>.svc} and {@code <name>.<ns>.svc.cluster.local}, and {@code <name>} for the Services
   * of {@code namespace}, as a pod there resolves them.
   */
  public Map<String, String> hostsFor(String namespace) {
    Map<String, String> hosts = new TreeMap<>();
    clusterIps.forEach(
        (key, ip) -> {
          String ns = key.substring(0, key.indexOf('/'));
          String name = key.substring(key.indexOf('/') + 1);
          if (ns.equals(namespace)) {
            hosts.put(name, ip);
          }
          hosts.put(name + "." + ns, ip);
          hosts.put(name + "." + ns + ".svc", ip);
          hosts.put(name + "." + ns + ".svc.cluster.local", ip);
        });
    return hosts;
  }

  /** Writes {@link #hostsFor} {@code namespace} to {@code file} in /etc/hosts format, now. */
  public void writeHostsFile(String namespace, Path file) {
    hostsFiles.write(file, hostsFor(namespace));
  }

  /** Writes {@code file} now, as {@link #writeHostsFile}, and again whenever Services change. */
  public void registerHostsFile(String namespace, Path file) {
    hostsFiles.register(namespace, file, hostsFor(namespace));
  }

  /** Stops watching and closes every proxy, cutting its connections. */
  @Override
  public void close() {
    loop.close();
    for (SharedIndexInformer<?> informer : List.of(services, pods, endpoints)) {
      informer.stop();
    }
    synchronized (proxies) {
      proxies.values().forEach(PortProxy::close);
      proxies.clear();
    }
  }

  private void reconcile() {
    Map<String, String> ipsNow = new HashMap<>();
    Set<ProxyKey> wanted = new HashSet<>();
    for (Service service : services.getStore().list()) {
      try {
        String ip = clusterIpOf(service);
        if (ip != null) {
          wanted.addAll(reconcileProxies(service, ip));
          ipsNow.put(key(service), ip);
        }
        if (ServiceBackends.hasSelector(service)) {
          reconcileEndpoints(service);
        }
      } catch (KubernetesClientException e) {
        LOG.debug("service {} not reconciled yet: {}", key(service), e.getMessage());
      }
    }
    closeProxiesNotIn(wanted);
    deleteStaleEndpoints();
    clusterIps = Map.copyOf(ipsNow);
    hostsFiles.rewriteAll(this::hostsFor);
  }

  /** The Service's cluster IP, allocated and stored first if it has none; null if it has none. */
  private String clusterIpOf(Service service) {
    String type = service.getSpec().getType();
    String ip = service.getSpec().getClusterIP();
    if ("ExternalName".equals(type) || "None".equals(ip)) {
      return null;
    }
    return ip == null || ip.isEmpty() ? allocate(service) : ip;
  }

  private String allocate(Service cached) {
    Service fresh = client.services().resource(cached).get();
    if (fresh == null) {
      return null;
    }
    String stored = fresh.getSpec().getClusterIP();
    if (stored != null && !stored.isEmpty()) {
      return "None".equals(stored) ? null : stored; // the cache was behind
    }
    String uid = fresh.getMetadata().getUid();
    String ip = allocated.computeIfAbsent(uid, u -> ips.next());
    fresh.getSpec().setClusterIP(ip);
    fresh.getSpec().setClusterIPs(List.of(ip));
    // A conflict (409) propagates: the next reconcile retries with a fresh read.
    client.services().resource(fresh).update();
    allocated.remove(uid);
    LOG.info("service {} has cluster IP {}", key(fresh), ip);
    return ip;
  }

  private Set<ProxyKey> reconcileProxies(Service service, String ip) {
    Set<ProxyKey> keys = new HashSet<>();
    for (ServicePort port : service.getSpec().getPorts()) {
      if (port.getProtocol() != null && !"TCP".equals(port.getProtocol())) {
        continue;
      }
      ProxyKey key = new ProxyKey(key(service), ip, port.getPort());
      keys.add(key);
      PortProxy proxy = proxyFor(key);
      if (proxy != null) {
        proxy.retarget(targets(service, port));
      }
    }
    return keys;
  }

  private List<InetSocketAddress> targets(Service service, ServicePort port) {
    String namespace = service.getMetadata().getNamespace();
    if (ServiceBackends.hasSelector(service)) {
      List<Pod> inNamespace = pods.getIndexer().byIndex(Cache.NAMESPACE_INDEX, namespace);
      return ServiceBackends.fromPods(service, port, inNamespace);
    }
    Endpoints stored = endpoints.getStore().getByKey(key(service));
    return ServiceBackends.fromEndpoints(port, stored);
  }

  private PortProxy proxyFor(ProxyKey key) {
    synchronized (proxies) {
      PortProxy proxy = proxies.get(key);
      if (proxy == null) {
        try {
          proxy = new PortProxy(key.ip(), key.port());
          proxies.put(key, proxy);
          failedToListen.remove(key);
        } catch (RuntimeException e) {
          if (failedToListen.add(key)) {
            LOG.warn("service {}: {}; retrying", key.service(), e.getMessage());
          }
        }
      }
      return proxy;
    }
  }

  private void closeProxiesNotIn(Set<ProxyKey> wanted) {
    synchronized (proxies) {
      proxies
          .entrySet()
          .removeIf(
              entry -> {
                if (wanted.contains(entry.getKey())) {
                  return false;
                }
                LOG.info("closing proxy {}", entry.getKey());
                entry.getValue().close();
                return true;
              });
    }
  }

  private void reconcileEndpoints(Service service) {
    String namespace = service.getMetadata().getNamespace();
    List<Pod> inNamespace = pods.getIndexer().byIndex(Cache.NAMESPACE_INDEX, namespace);
    List<EndpointSubset> subsets = ServiceBackends.subsets(service, inNamespace);
    Endpoints stored = endpoints.getStore().getByKey(key(service));
    if (stored == null) {
      client
          .endpoints()
          .inNamespace(namespace)
          .resource(
              new EndpointsBuilder()
                  .withNewMetadata()
                  .withName(service.getMetadata().getName())
                  .withNamespace(namespace)
                  .withLabels(Map.of(MANAGED_ENDPOINTS, "true"))
                  .endMetadata()
                  .withSubsets(subsets)
                  .build())
          .create();
    } else if (!Objects.equals(stored.getSubsets(), subsets)) {
      // The stored resourceVersion guards against a concurrent writer; a 409 retries next time.
      Endpoints changed = new EndpointsBuilder(stored).withSubsets(subsets).build();
      client.endpoints().inNamespace(namespace).resource(changed).update();
    }
  }

  /** Deletes the Endpoints this controller wrote for Services now gone or without selector. */
  private void deleteStaleEndpoints() {
    for (Endpoints stored : endpoints.getStore().list()) {
      Map<String, String> labels = stored.getMetadata().getLabels();
      if (labels == null || !labels.containsKey(MANAGED_ENDPOINTS)) {
        continue;
      }
      Service service = services.getStore().getByKey(key(stored.getMetadata()));
      if (service == null || !ServiceBackends.hasSelector(service)) {
        try {
          client.endpoints().resource(stored).delete();
        } catch (KubernetesClientException e) {
          LOG.debug(
              "cannot delete endpoints {}: {}", stored.getMetadata().getName(), e.getMessage());
        }
      }
    }
  }

  private static String key(Service service) {
    return key(service.getMetadata());
  }

  private static String key(ObjectMeta metadata) {
    return metadata.getNamespace() + "/" + metadata.getName();
  }

  /** One Service port on its cluster IP. */
  private record ProxyKey(String service, String ip, int port) {}

  /** A proxy whose targets are replaced on each reconcile, cutting connections to removed ones. */
  private static final class PortProxy {
    private volatile List<InetSocketAddress> targets = List.of();
    private final TcpProxy proxy;

    PortProxy(String ip, int port) {
      this.proxy = TcpProxy.start(ip, port, () -> targets);
    }

    void retarget(List<InetSocketAddress> now) {
      List<InetSocketAddress> before = targets;
      targets = List.copyOf(now);
      for (InetSocketAddress target : before) {
        if (!now.contains(target)) {
          proxy.closeConnectionsTo(target);
        }
      }
    }

    void close() {
      proxy.close();
    }
  }
}
