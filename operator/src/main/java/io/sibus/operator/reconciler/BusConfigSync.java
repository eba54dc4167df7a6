package io.sibus.operator.reconciler;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.sibus.crds.v1alpha1.Bus;
import io.sibus.crds.v1alpha1.Destination;
import io.sibus.crds.v1alpha1.MessagingEngine;
import io.sibus.operator.OperatorConfig;
import io.sibus.operator.model.BusConfigMaps;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Keeps a bus's ConfigMap equal to its engines and destinations. Every reconciler that changes the
 * bus calls it; rendering is deterministic, so it writes only when something changed.
 */
@ApplicationScoped
public class BusConfigSync {
  private final KubernetesClient client;
  private final int port;

  public BusConfigSync(KubernetesClient client, OperatorConfig config) {
    this.client = client;
    this.port = config.enginePort();
  }

  public void sync(String namespace, String busName) {
    if (client.secrets().inNamespace(namespace).withName(BusConfigMaps.secretName(busName)).get()
        == null) {
      client
          .secrets()
          .inNamespace(namespace)
          .resource(BusConfigMaps.secret(namespace, busName))
          .create();
    }
    Bus bus = client.resources(Bus.class).inNamespace(namespace).withName(busName).get();
    List<MessagingEngine> engines = engines(namespace, busName);
    List<Destination> destinations =
        client.resources(Destination.class).inNamespace(namespace).list().getItems().stream()
            .filter(d -> d.getSpec() != null && busName.equals(d.getSpec().getBus()))
            .filter(d -> d.getMetadata().getDeletionTimestamp() == null)
            .toList();
    Map<String, String> hosts = new HashMap<>();
    for (MessagingEngine e : engines) {
      String name = e.getMetadata().getName();
      Service service = client.services().inNamespace(namespace).withName(name).get();
      String ip =
          service == null || service.getSpec() == null ? null : service.getSpec().getClusterIP();
      hosts.put(
          name,
          ip != null && !ip.isBlank() && !"None".equals(ip) ? ip : name + "." + namespace + ".svc");
    }
    ConfigMap wanted =
        BusConfigMaps.build(namespace, busName, bus, engines, destinations, hosts, port);
    ConfigMap current =
        client.configMaps().inNamespace(namespace).withName(wanted.getMetadata().getName()).get();
    if (current == null) {
      client.configMaps().inNamespace(namespace).resource(wanted).create();
    } else if (!Objects.equals(current.getData(), wanted.getData())) {
      current.setData(wanted.getData());
      client.configMaps().inNamespace(namespace).resource(current).update();
    }
  }

  public List<MessagingEngine> engines(String namespace, String busName) {
    return client.resources(MessagingEngine.class).inNamespace(namespace).list().getItems().stream()
        .filter(e -> e.getSpec() != null && busName.equals(e.getSpec().getBus()))
        .filter(e -> e.getMetadata().getDeletionTimestamp() == null)
        .toList();
  }
}
