package io.sibus.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Kubernetes strategic merge patch, as far as {@code kubectl apply} needs it for built-in kinds: a
 * JSON merge patch in which lists of objects with a known merge key (containers, env and volumes by
 * name, container ports by containerPort, ...) merge element by element, and the directives kubectl
 * writes ({@code $patch}, {@code $retainKeys}, {@code $setElementOrder/}, {@code
 * $deleteFromPrimitiveList/}) are obeyed instead of stored. A plain merge patch would replace a
 * Deployment's containers with the one changed field kubectl sends.
 *
 * <p>The real API server reads merge keys from the Go types; this table holds the common ones.
 * Lists without a known key are replaced, as in a JSON merge patch.
 */
final class StrategicMergePatch {
  private static final String DIRECTIVE = "$patch";
  private static final String RETAIN_KEYS = "$retainKeys";
  private static final String ORDER = "$setElementOrder/";
  private static final String DELETE_PRIMITIVES = "$deleteFromPrimitiveList/";

  /** Merge keys by list field name; the first key every patch element has wins. */
  private static final Map<String, List<String>> MERGE_KEYS =
      Map.ofEntries(
          Map.entry("containers", List.of("name")),
          Map.entry("initContainers", List.of("name")),
          Map.entry("ephemeralContainers", List.of("name")),
          Map.entry("env", List.of("name")),
          Map.entry("volumes", List.of("name")),
          Map.entry("imagePullSecrets", List.of("name")),
          Map.entry("resourceClaims", List.of("name")),
          Map.entry("volumeMounts", List.of("mountPath")),
          Map.entry("volumeDevices", List.of("devicePath")),
          Map.entry("ports", List.of("containerPort", "port")),
          Map.entry("hostAliases", List.of("ip")),
          Map.entry("conditions", List.of("type")),
          Map.entry("ownerReferences", List.of("uid")),
          Map.entry("topologySpreadConstraints", List.of("topologyKey")));

  /** Lists of strings that merge as sets rather than being replaced. */
  private static final Set<String> MERGED_PRIMITIVE_LISTS = Set.of("finalizers");

  private StrategicMergePatch() {}

  /** The result of patching {@code target} (left unchanged) with {@code patch}. */
  static JsonNode apply(JsonNode target, JsonNode patch) {
    JsonNode result = patch.isObject() ? mergeObject(target, (ObjectNode) patch) : patch;
    return result == null ? JsonNodeFactory.instance.objectNode() : result;
  }

  /** The merged object, or null when the patch says {@code $patch: delete}. */
  private static ObjectNode mergeObject(JsonNode target, ObjectNode patch) {
    String directive = patch.path(DIRECTIVE).asText("");
    if (directive.equals("delete")) {
      return null;
    }
    if (directive.equals("replace")) {
      ObjectNode replacement = patch.deepCopy();
      replacement.remove(DIRECTIVE);
      return mergeObject(null, replacement);
    }
    ObjectNode result =
        target != null && target.isObject()
            ? ((ObjectNode) target).deepCopy()
            : JsonNodeFactory.instance.objectNode();
    for (Map.Entry<String, JsonNode> field : patch.properties()) {
      if (!field.getKey().startsWith("$")) {
        mergeField(result, field.getKey(), field.getValue(), patch.get(ORDER + field.getKey()));
      }
    }
    for (Map.Entry<String, JsonNode> field : patch.properties()) {
      if (field.getKey().startsWith(DELETE_PRIMITIVES)) {
        removeValues(
            result, field.getKey().substring(DELETE_PRIMITIVES.length()), field.getValue());
      }
    }
    if (patch.get(RETAIN_KEYS) instanceof ArrayNode retain) {
      Set<String> keep = new HashSet<>();
      retain.forEach(name -> keep.add(name.asText()));
      result.retain(keep);
    }
    return result;
  }

  private static void mergeField(ObjectNode result, String name, JsonNode value, JsonNode order) {
    JsonNode old = result.get(name);
    if (value.isNull()) {
      result.remove(name);
    } else if (value.isObject()) {
      ObjectNode merged = mergeObject(old, (ObjectNode) value);
      if (merged == null) {
        result.remove(name);
      } else {
        result.set(name, merged);
      }
    } else if (value.isArray()) {
      result.set(name, mergeList(name, old, (ArrayNode) value, order));
    } else {
      result.set(name, value.deepCopy());
    }
  }

  private static ArrayNode mergeList(String name, JsonNode old, ArrayNode patch, JsonNode order) {
    List<JsonNode> elements = new ArrayList<>();
    patch.forEach(elements::add);
    if (elements.removeIf(e -> e.path(DIRECTIVE).asText("").equals("replace") && e.size() == 1)) {
      return fresh(elements);
    }
    if (!(old instanceof ArrayNode oldList)) {
      return fresh(elements);
    }
    if (MERGED_PRIMITIVE_LISTS.contains(name)) {
      ArrayNode union = oldList.deepCopy();
      elements.stream().filter(e -> !contains(union, e)).forEach(union::add);
      return union;
    }
    String key = mergeKey(name, elements);
    return key == null ? fresh(elements) : mergeByKey(oldList, elements, key, order);
  }

  private static ArrayNode mergeByKey(
      ArrayNode old, List<JsonNode> patch, String key, JsonNode order) {
    List<JsonNode> result = new ArrayList<>();
    old.forEach(result::add);
    for (JsonNode element : patch) {
      int at = indexOf(result, key, element.get(key));
      ObjectNode merged = mergeObject(at < 0 ? null : result.get(at), (ObjectNode) element);
      if (merged == null) {
        if (at >= 0) {
          result.remove(at);
        }
      } else if (at < 0) {
        result.add(merged);
      } else {
        result.set(at, merged);
      }
    }
    if (order instanceof ArrayNode wanted) {
      result.sort(Comparator.comparingInt(e -> rank(wanted, key, e.get(key))));
    }
    return listOf(result);
  }

  /** The merge key all the patch's elements carry, or null when the list is to be replaced. */
  private static String mergeKey(String name, List<JsonNode> elements) {
    for (String key : MERGE_KEYS.getOrDefault(name, List.of())) {
      if (!elements.isEmpty() && elements.stream().allMatch(e -> e.isObject() && e.has(key))) {
        return key;
      }
    }
    return null;
  }

  private static int indexOf(List<JsonNode> list, String key, JsonNode value) {
    for (int i = 0; i < list.size(); i++) {
      if (value.equals(list.get(i).get(key))) {
        return i;
      }
    }
    return -1;
  }

  /**
   * Position in {@code $setElementOrder}; elements it does not name keep their place at the end.
   */
  private static int rank(ArrayNode order, String key, JsonNode value) {
    for (int i = 0; i < order.size(); i++) {
      if (order.get(i).path(key).equals(value)) {
        return i;
      }
    }
    return order.size();
  }

  private static void removeValues(ObjectNode result, String name, JsonNode values) {
    if (result.get(name) instanceof ArrayNode list) {
      for (int i = list.size() - 1; i >= 0; i--) {
        if (contains(values, list.get(i))) {
          list.remove(i);
        }
      }
    }
  }

  private static boolean contains(JsonNode list, JsonNode value) {
    for (JsonNode element : list) {
      if (element.equals(value)) {
        return true;
      }
    }
    return false;
  }

  /** A list of new elements: directives applied, deleted elements left out. */
  private static ArrayNode fresh(List<JsonNode> elements) {
    ArrayNode list = JsonNodeFactory.instance.arrayNode();
    for (JsonNode element : elements) {
      JsonNode clean = element.isObject() ? mergeObject(null, (ObjectNode) element) : element;
      if (clean != null) {
        list.add(clean.deepCopy());
      }
    }
    return list;
  }

  private static ArrayNode listOf(List<JsonNode> elements) {
    ArrayNode list = JsonNodeFactory.instance.arrayNode();
    elements.forEach(list::add);
    return list;
  }
}
