package io.sibus.deploy;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads manifests into fabric8's typed models (and sibus's own) and reports every field the model
 * does not know: fabric8 keeps unknown fields aside in {@code additionalProperties} instead of
 * failing, so they are looked for there.
 */
final class StrictManifests {
  private static final YAMLFactory FACTORY = new YAMLFactory();
  private static final ObjectMapper YAML =
      new ObjectMapper(FACTORY).configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true);

  private static final Map<String, String> KINDS =
      Map.ofEntries(
          Map.entry("Namespace", "io.fabric8.kubernetes.api.model.Namespace"),
          Map.entry("ServiceAccount", "io.fabric8.kubernetes.api.model.ServiceAccount"),
          Map.entry("Secret", "io.fabric8.kubernetes.api.model.Secret"),
          Map.entry("Service", "io.fabric8.kubernetes.api.model.Service"),
          Map.entry("ConfigMap", "io.fabric8.kubernetes.api.model.ConfigMap"),
          Map.entry("Deployment", "io.fabric8.kubernetes.api.model.apps.Deployment"),
          Map.entry("StatefulSet", "io.fabric8.kubernetes.api.model.apps.StatefulSet"),
          Map.entry("ClusterRole", "io.fabric8.kubernetes.api.model.rbac.ClusterRole"),
          Map.entry(
              "ClusterRoleBinding", "io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding"),
          Map.entry("Role", "io.fabric8.kubernetes.api.model.rbac.Role"),
          Map.entry("RoleBinding", "io.fabric8.kubernetes.api.model.rbac.RoleBinding"),
          Map.entry(
              "CustomResourceDefinition",
              "io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition"),
          Map.entry("Bus", "io.sibus.crds.v1alpha1.Bus"),
          Map.entry("MessagingEngine", "io.sibus.crds.v1alpha1.MessagingEngine"),
          Map.entry("Destination", "io.sibus.crds.v1alpha1.Destination"));

  private StrictManifests() {}

  /** The documents of a (multi-document) YAML text. */
  static List<JsonNode> documents(String yaml) throws IOException {
    List<JsonNode> documents = new ArrayList<>();
    try (YAMLParser parser = FACTORY.createParser(yaml)) {
      for (var it = YAML.readValues(parser, JsonNode.class); it.hasNext(); ) {
        JsonNode doc = it.next();
        if (doc != null && !doc.isNull() && !doc.isEmpty()) {
          documents.add(doc);
        }
      }
    }
    return documents;
  }

  /** The problems of one document: an unknown kind, a misspelt or misplaced field. */
  static List<String> problems(JsonNode document) {
    List<String> problems = new ArrayList<>();
    String kind = document.path("kind").asText();
    String type = KINDS.get(kind);
    if (type == null) {
      problems.add("kind '" + kind + "' is not one the manifests may use");
      return problems;
    }
    try {
      Object model = YAML.treeToValue(document, Class.forName(type));
      unknownFields(
          model,
          kind + " " + document.at("/metadata/name").asText(),
          problems,
          new IdentityHashMap<>());
    } catch (IOException | ClassNotFoundException e) {
      problems.add(kind + ": " + e.getMessage().lines().findFirst().orElse(""));
    }
    return problems;
  }

  private static void unknownFields(
      Object value, String path, List<String> out, Map<Object, Boolean> seen) {
    if (value == null
        || value instanceof String
        || value instanceof Number
        || value instanceof Boolean
        || value instanceof Enum<?>
        || seen.put(value, true) != null) {
      return;
    }
    if (value instanceof Map<?, ?> map) {
      map.forEach((k, v) -> unknownFields(v, path + "." + k, out, seen));
      return;
    }
    if (value instanceof Collection<?> items) {
      int i = 0;
      for (Object item : items) {
        unknownFields(item, path + "[" + i++ + "]", out, seen);
      }
      return;
    }
    String pkg = value.getClass().getPackageName();
    if (!pkg.startsWith("io.fabric8.kubernetes.api") && !pkg.startsWith("io.sibus")) {
      return;
    }
    for (Method getter : value.getClass().getMethods()) {
      if (getter.getParameterCount() != 0
          || Modifier.isStatic(getter.getModifiers())
          || !(getter.getName().startsWith("get") || getter.getName().startsWith("is"))
          || getter.getName().equals("getClass")) {
        continue;
      }
      try {
        Object result = getter.invoke(value);
        if (getter.getName().equals("getAdditionalProperties")) {
          if (result instanceof Map<?, ?> extra && !extra.isEmpty()) {
            out.add(path + ": unknown field(s) " + extra.keySet());
          }
        } else {
          unknownFields(result, path + "." + field(getter.getName()), out, seen);
        }
      } catch (ReflectiveOperationException | RuntimeException ignored) {
        // a computed getter that needs more than the model: not a field
      }
    }
  }

  private static String field(String getter) {
    String name = getter.startsWith("is") ? getter.substring(2) : getter.substring(3);
    return name.isEmpty() ? name : Character.toLowerCase(name.charAt(0)) + name.substring(1);
  }
}
