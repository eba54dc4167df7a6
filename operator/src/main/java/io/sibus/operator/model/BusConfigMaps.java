package io.sibus.operator.model;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.sibus.crds.v1alpha1.Bus;
import io.sibus.crds.v1alpha1.Destination;
import io.sibus.crds.v1alpha1.MessagingEngine;
import io.sibus.operator.Labels;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The bus ConfigMap: the topology every member reads as its bus config file (engines with their
 * Service addresses, destinations with the engine each is localized on). Rendered in a stable
 * order, so an unchanged bus gives an identical file and members reload only on real changes.
 */
public final class BusConfigMaps {
  public static final String KEY = "bus.yaml";
  private static final ObjectMapper YAML =
      new ObjectMapper(new YAMLFactory().disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER));

  private BusConfigMaps() {}

  public static String name(String bus) {
    return bus + "-bus";
  }

  /** The Secret holding the bus's shared secret (engines authenticate each other with it). */
  public static String secretName(String bus) {
    return bus + "-bus-secret";
  }

  /** A new shared secret for a bus: 32 random bytes. */
  public static io.fabric8.kubernetes.api.model.Secret secret(String namespace, String bus) {
    byte[] random = new byte[32];
    new java.security.SecureRandom().nextBytes(random);
    return new io.fabric8.kubernetes.api.model.SecretBuilder()
        .withNewMetadata()
        .withName(secretName(bus))
        .withNamespace(namespace)
        .withLabels(Map.of(Labels.BUS, bus, Labels.MANAGED_BY, Labels.OPERATOR))
        .endMetadata()
        .withStringData(
            Map.of(
                SECRET_KEY,
                java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(random)))
        .build();
  }

  public static final String SECRET_KEY = "secret";

  /**
   * @param serviceHosts the address of each engine's Service (cluster IP or DNS name)
   */
  public static ConfigMap build(
      String namespace,
      String busName,
      Bus bus,
      List<MessagingEngine> engines,
      List<Destination> destinations,
      Map<String, String> serviceHosts,
      int port) {
    return new ConfigMapBuilder()
        .withNewMetadata()
        .withName(name(busName))
        .withNamespace(namespace)
        .withLabels(Map.of(Labels.BUS, busName, Labels.MANAGED_BY, Labels.OPERATOR))
        .endMetadata()
        .withData(Map.of(KEY, render(busName, bus, engines, destinations, serviceHosts, port)))
        .build();
  }

  static String render(
      String busName,
      Bus bus,
      List<MessagingEngine> engines,
      List<Destination> destinations,
      Map<String, String> serviceHosts,
      int port) {
    Map<String, Object> file = new LinkedHashMap<>();
    file.put("bus", busName);
    if (bus != null && bus.getSpec() != null && bus.getSpec().getDedupWindow() != null) {
      file.put("dedupWindow", bus.getSpec().getDedupWindow());
    }
    List<Map<String, Object>> engineList = new ArrayList<>();
    engines.stream()
        .sorted(Comparator.comparing(e -> e.getMetadata().getName()))
        .forEach(
            e -> {
              String name = e.getMetadata().getName();
              Map<String, Object> entry = new LinkedHashMap<>();
              entry.put("name", name);
              entry.put(
                  "urls", List.of("http://" + serviceHosts.getOrDefault(name, name) + ":" + port));
              engineList.add(entry);
            });
    file.put("engines", engineList);
    List<Map<String, Object>> destinationList = new ArrayList<>();
    destinations.stream()
        .sorted(Comparator.comparing(d -> d.getMetadata().getName()))
        .forEach(
            d -> {
              Map<String, Object> entry = new LinkedHashMap<>();
              entry.put("name", d.getMetadata().getName());
              entry.put("type", "Queue");
              entry.put("localizedOn", d.getSpec().getLocalizedOn());
              entry.put("defaultReliability", String.valueOf(d.getSpec().getDefaultReliability()));
              entry.put("maxRedeliveries", d.getSpec().getMaxRedeliveries());
              if (d.getSpec().getMaxDepth() != null) {
                entry.put("maxDepth", d.getSpec().getMaxDepth());
              }
              destinationList.add(entry);
            });
    file.put("destinations", destinationList);
    try {
      return YAML.writeValueAsString(file);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
