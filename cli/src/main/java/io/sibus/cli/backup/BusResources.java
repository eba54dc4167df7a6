package io.sibus.cli.backup;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.sibus.crds.v1alpha1.Destination;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The custom resources of a bus on Kubernetes (its {@code Bus}, {@code MessagingEngine}s and {@code
 * Destination}s) as a backup keeps them, in {@code resources.yaml}, and as a restore puts them
 * back.
 */
final class BusResources {
  static final String FILE = "resources.yaml";
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private final KubernetesClient client;
  private final String namespace;
  private final String bus;

  BusResources(KubernetesClient client, String namespace, String bus) {
    this.client = client;
    this.namespace = namespace;
    this.bus = bus;
  }

  /** The bus's resources as applied: specs, labels and annotations, without status. */
  byte[] asApplied() throws IOException {
    // As applied (raw, not through the typed classes, which would add every default).
    List<HasMetadata> resources = new ArrayList<>();
    for (String kind : List.of("Bus", "MessagingEngine", "Destination")) {
      client
          .genericKubernetesResources("sibus.io/v1alpha1", kind)
          .inNamespace(namespace)
          .list()
          .getItems()
          .stream()
          .filter(
              r ->
                  kind.equals("Bus") ? bus.equals(r.getMetadata().getName()) : bus.equals(busOf(r)))
          .forEach(resources::add);
    }
    List<Object> cleaned = new ArrayList<>();
    for (HasMetadata r : resources) {
      ObjectNode node = (ObjectNode) Serialization.jsonMapper().valueToTree(r);
      node.remove("status");
      ObjectNode metadata = (ObjectNode) node.path("metadata");
      metadata.retain("name", "namespace", "labels", "annotations");
      cleaned.add(node);
    }
    return YAML.writeValueAsBytes(cleaned);
  }

  /**
   * Re-applies the resources of the backup: the bus, its engines (kept stopped until the start) and
   * its destinations; destinations created since are deleted (their messages were kept on the
   * exception destination by the store restore).
   *
   * @return the {@code initialState} of each engine in the backup, for the start to put back
   */
  Map<String, String> restore(Archive archive, Progress progress) throws IOException {
    List<Map<String, Object>> resources = resources(archive);
    for (Destination d : createdAfterTheBackup(resources)) {
      client.resource(d).delete();
      progress.detail(
          "destination %s deleted (created after the backup)", d.getMetadata().getName());
    }
    Map<String, String> archivedStates = new LinkedHashMap<>();
    for (Map<String, Object> resource : resources) {
      Map<String, Object> copy = new LinkedHashMap<>(resource);
      if ("MessagingEngine".equals(copy.get("kind"))) {
        Object state = ((Map<?, ?>) copy.get("spec")).get("initialState");
        archivedStates.put(
            ArchivedResources.name(copy), state == null ? "Started" : String.valueOf(state));
        copy.put("spec", ArchivedResources.withInitialState(copy.get("spec"), "Stopped"));
      }
      GenericKubernetesResource object = inThisNamespace(copy);
      GenericKubernetesResource running = running(object);
      ArchivedResources.differences(object, running, resource.get("spec"))
          .forEach(d -> progress.detail("%s", d));
      Map<String, Object> patch = ArchivedResources.mergePatch(copy, running);
      client
          .resource(object)
          .inNamespace(namespace)
          .createOr(
              existing ->
                  existing.patch(
                      PatchContext.of(PatchType.JSON_MERGE), Serialization.asJson(patch)));
      progress.detail("%s %s applied", copy.get("kind"), ArchivedResources.name(copy));
    }
    return archivedStates;
  }

  /** The resources a restore would delete, and how each resource's spec would go back. */
  List<String> changes(Archive archive) throws IOException {
    List<Map<String, Object>> resources = resources(archive);
    List<String> changes = new ArrayList<>();
    for (Destination d : createdAfterTheBackup(resources)) {
      changes.add(
          "Destination " + d.getMetadata().getName() + " (created after the backup) is deleted");
    }
    for (Map<String, Object> resource : resources) {
      GenericKubernetesResource object = inThisNamespace(resource);
      changes.addAll(ArchivedResources.differences(object, running(object), resource.get("spec")));
    }
    if (changes.isEmpty()) {
      changes.add("the resources are the ones of the backup");
    }
    return changes;
  }

  private List<Destination> createdAfterTheBackup(List<Map<String, Object>> resources) {
    Set<String> kept =
        resources.stream()
            .filter(r -> "Destination".equals(r.get("kind")))
            .map(ArchivedResources::name)
            .collect(Collectors.toSet());
    return destinations().stream().filter(d -> !kept.contains(d.getMetadata().getName())).toList();
  }

  private GenericKubernetesResource inThisNamespace(Map<String, Object> resource) {
    GenericKubernetesResource object =
        Serialization.jsonMapper().convertValue(resource, GenericKubernetesResource.class);
    object.getMetadata().setNamespace(namespace);
    return object;
  }

  /** The running resource of the backup's {@code archived}; null when there is none. */
  private GenericKubernetesResource running(GenericKubernetesResource archived) {
    return client
        .genericKubernetesResources(archived.getApiVersion(), archived.getKind())
        .inNamespace(namespace)
        .withName(archived.getMetadata().getName())
        .get();
  }

  private List<Destination> destinations() {
    return client.resources(Destination.class).inNamespace(namespace).list().getItems().stream()
        .filter(d -> bus.equals(d.getSpec().getBus()))
        .toList();
  }

  private static Object busOf(GenericKubernetesResource resource) {
    Object spec = resource.getAdditionalProperties().get("spec");
    return spec instanceof Map<?, ?> m ? m.get("bus") : null;
  }

  @SuppressWarnings("unchecked")
  private static List<Map<String, Object>> resources(Archive archive) throws IOException {
    return YAML.readValue(Files.readAllBytes(archive.file("config/" + FILE)), List.class);
  }
}
