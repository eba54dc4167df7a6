package io.sibus.k8s;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * {@code kubectl apply -k DIR} for machines without kubectl: reads a kustomization's resources
 * (files, and directories holding a kustomization of their own), sets its {@code namespace} on the
 * namespaced objects, and creates or updates each object in order. Only what deploy/ uses of
 * kustomize: resources and namespace.
 */
public final class Manifests {
  private static final Set<String> CLUSTER_SCOPED =
      Set.of(
          "Namespace",
          "CustomResourceDefinition",
          "ClusterRole",
          "ClusterRoleBinding",
          "PersistentVolume",
          "StorageClass");

  private Manifests() {}

  /** The objects of the kustomization in {@code directory}, in the order kubectl applies them. */
  public static List<HasMetadata> load(KubernetesClient client, Path directory) {
    try {
      JsonNode kustomization =
          new ObjectMapper(new YAMLFactory())
              .readTree(directory.resolve("kustomization.yaml").toFile());
      String namespace =
          kustomization.hasNonNull("namespace") ? kustomization.get("namespace").asText() : null;
      List<HasMetadata> objects = new ArrayList<>();
      for (JsonNode resource : kustomization.path("resources")) {
        Path path = directory.resolve(resource.asText()).normalize();
        if (Files.isDirectory(path)) {
          objects.addAll(load(client, path));
        } else {
          try (InputStream in = Files.newInputStream(path)) {
            objects.addAll(client.load(in).items());
          }
        }
      }
      if (namespace != null) {
        objects.stream()
            .filter(o -> !CLUSTER_SCOPED.contains(o.getKind()))
            .forEach(o -> o.getMetadata().setNamespace(namespace));
      }
      return objects;
    } catch (IOException e) {
      throw new UncheckedIOException("reading the kustomization in " + directory, e);
    }
  }

  /** Creates or updates every object of the kustomization in {@code directory}. */
  public static List<HasMetadata> apply(KubernetesClient client, Path directory) {
    List<HasMetadata> objects = load(client, directory);
    for (HasMetadata object : objects) {
      client.resource(object).createOr(NonDeletingOperation::update);
    }
    return objects;
  }
}
