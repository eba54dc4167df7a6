package io.sibus.k8s;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EndpointAddress;
import io.fabric8.kubernetes.api.model.EndpointAddressBuilder;
import io.fabric8.kubernetes.api.model.EndpointPort;
import io.fabric8.kubernetes.api.model.EndpointPortBuilder;
import io.fabric8.kubernetes.api.model.EndpointSubset;
import io.fabric8.kubernetes.api.model.EndpointSubsetBuilder;
import io.fabric8.kubernetes.api.model.Endpoints;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Where a Service port leads, what the endpoints controller and kube-proxy compute: the ready pods
 * its selector matches at their target port, or, for a Service without a selector, the addresses of
 * its {@code Endpoints}. Pure functions of the objects given.
 */
final class ServiceBackends {
  private ServiceBackends() {}

  /** Whether {@code service} selects pods (else its Endpoints are written by someone else). */
  static boolean hasSelector(Service service) {
    Map<String, String> selector = service.getSpec().getSelector();
    return selector != null && !selector.isEmpty();
  }

  /** Whether {@code pod} is in {@code service}'s namespace and has all its selector's labels. */
  static boolean selects(Service service, Pod pod) {
    Map<String, String> labels = pod.getMetadata().getLabels();
    return hasSelector(service)
        && Objects.equals(service.getMetadata().getNamespace(), pod.getMetadata().getNamespace())
        && labels != null
        && labels.entrySet().containsAll(service.getSpec().getSelector().entrySet());
  }

  /** The ready selected pods at {@code port}'s target port, in a stable order. */
  static List<InetSocketAddress> fromPods(Service service, ServicePort port, Collection<Pod> pods) {
    List<InetSocketAddress> targets = new ArrayList<>();
    for (Pod pod : pods) {
      Integer target = targetPort(port, pod);
      if (selects(service, pod) && PodReadiness.isReady(pod) && target != null) {
        targets.add(new InetSocketAddress(PodReadiness.podIp(pod), target));
      }
    }
    targets.sort(Comparator.comparing(InetSocketAddress::toString));
    return targets;
  }

  /**
   * The ready addresses of {@code endpoints} at the port named like {@code port} (the only port of
   * a subset matches an unnamed Service port, as for a hand-written Endpoints).
   */
  static List<InetSocketAddress> fromEndpoints(ServicePort port, Endpoints endpoints) {
    List<InetSocketAddress> targets = new ArrayList<>();
    if (endpoints == null || endpoints.getSubsets() == null) {
      return targets;
    }
    for (EndpointSubset subset : endpoints.getSubsets()) {
      EndpointPort match = matchingPort(port, subset.getPorts());
      if (match != null && subset.getAddresses() != null) {
        subset
            .getAddresses()
            .forEach(a -> targets.add(new InetSocketAddress(a.getIp(), match.getPort())));
      }
    }
    targets.sort(Comparator.comparing(InetSocketAddress::toString));
    return targets;
  }

  private static EndpointPort matchingPort(ServicePort port, List<EndpointPort> ports) {
    if (ports == null || ports.isEmpty()) {
      return null;
    }
    String name = Objects.toString(port.getName(), "");
    for (EndpointPort candidate : ports) {
      if (name.equals(Objects.toString(candidate.getName(), ""))) {
        return candidate;
      }
    }
    return ports.size() == 1 && name.isEmpty() ? ports.get(0) : null;
  }

  /**
   * The pod port {@code port} forwards to: its {@code targetPort} number, or the container port of
   * that name (null if the pod has none), or the Service port itself.
   */
  static Integer targetPort(ServicePort port, Pod pod) {
    IntOrString target = port.getTargetPort();
    if (target == null || (target.getIntVal() == null && target.getStrVal() == null)) {
      return port.getPort();
    }
    if (target.getIntVal() != null) {
      return target.getIntVal();
    }
    for (Container container : pod.getSpec().getContainers()) {
      for (ContainerPort containerPort : container.getPorts()) {
        if (target.getStrVal().equals(containerPort.getName())) {
          return containerPort.getContainerPort();
        }
      }
    }
    return null;
  }

  /**
   * The subsets of the Endpoints the endpoints controller writes for {@code service}: each selected
   * pod with an address, ready or not, grouped by the ports it resolves to, in a stable order (so
   * that an unchanged result compares equal to what is stored).
   */
  static List<EndpointSubset> subsets(Service service, Collection<Pod> pods) {
    Map<List<EndpointPort>, List<Pod>> byPorts = new LinkedHashMap<>();
    List<Pod> sorted = new ArrayList<>(pods);
    sorted.sort(Comparator.comparing(p -> p.getMetadata().getName()));
    for (Pod pod : sorted) {
      if (selects(service, pod)
          && PodReadiness.podIp(pod) != null
          && !PodReadiness.isTerminating(pod)
          && !PodReadiness.isFinished(pod)) {
        byPorts.computeIfAbsent(endpointPorts(service, pod), p -> new ArrayList<>()).add(pod);
      }
    }
    List<EndpointSubset> subsets = new ArrayList<>();
    byPorts.forEach(
        (ports, members) -> {
          if (!ports.isEmpty()) {
            subsets.add(
                new EndpointSubsetBuilder()
                    .withAddresses(addresses(members, true))
                    .withNotReadyAddresses(addresses(members, false))
                    .withPorts(ports)
                    .build());
          }
        });
    return subsets;
  }

  private static List<EndpointPort> endpointPorts(Service service, Pod pod) {
    List<EndpointPort> ports = new ArrayList<>();
    for (ServicePort port : service.getSpec().getPorts()) {
      Integer target = targetPort(port, pod);
      if (target != null) {
        ports.add(
            new EndpointPortBuilder()
                .withName(port.getName())
                .withPort(target)
                .withProtocol(Objects.toString(port.getProtocol(), "TCP"))
                .build());
      }
    }
    return ports;
  }

  private static List<EndpointAddress> addresses(List<Pod> pods, boolean ready) {
    List<EndpointAddress> addresses = new ArrayList<>();
    for (Pod pod : pods) {
      if (PodReadiness.isReady(pod) == ready) {
        addresses.add(
            new EndpointAddressBuilder()
                .withIp(PodReadiness.podIp(pod))
                .withNodeName(pod.getSpec().getNodeName())
                .withNewTargetRef()
                .withKind("Pod")
                .withNamespace(pod.getMetadata().getNamespace())
                .withName(pod.getMetadata().getName())
                .withUid(pod.getMetadata().getUid())
                .endTargetRef()
                .build());
      }
    }
    return addresses;
  }
}
