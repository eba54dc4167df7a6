package io.sibus.cli.backup;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * The resources of a backup (as read from its {@code resources.yaml}) against the running ones: how
 * each spec would go back, field by field, and the merge patch that puts it back.
 */
final class ArchivedResources {
  private ArchivedResources() {}

  /** The resource's {@code metadata.name}. */
  @SuppressWarnings("unchecked")
  static String name(Map<String, Object> resource) {
    return String.valueOf(((Map<String, Object>) resource.get("metadata")).get("name"));
  }

  /** A copy of a MessagingEngine's {@code spec} whose {@code initialState} is {@code state}. */
  @SuppressWarnings("unchecked")
  static Map<String, Object> withInitialState(Object spec, String state) {
    Map<String, Object> copy = new LinkedHashMap<>((Map<String, Object>) spec);
    copy.put("initialState", state);
    return copy;
  }

  /** How the running resource's spec differs from the one of the backup, field by field. */
  static List<String> differences(
      GenericKubernetesResource archived, GenericKubernetesResource running, Object archivedSpec) {
    String what = archived.getKind() + " " + archived.getMetadata().getName();
    if (running == null) {
      return List.of(what + " (deleted after the backup) comes back");
    }
    Map<?, ?> before = spec(running);
    Map<?, ?> after = archivedSpec instanceof Map<?, ?> m ? m : Map.of();
    List<String> found = new ArrayList<>();
    Set<Object> keys = new TreeSet<>(Comparator.comparing(String::valueOf));
    keys.addAll(before.keySet());
    keys.addAll(after.keySet());
    for (Object key : keys) {
      if ("initialState".equals(key) || Objects.equals(before.get(key), after.get(key))) {
        continue;
      }
      String field = what + ": spec." + key;
      if (!after.containsKey(key)) {
        found.add(field + " (set to " + before.get(key) + " after the backup) is removed");
      } else if (!before.containsKey(key)) {
        found.add(field + " (removed after the backup) comes back: " + after.get(key));
      } else {
        found.add(field + " goes back from " + before.get(key) + " to " + after.get(key));
      }
    }
    return found;
  }

  /**
   * The merge patch that puts {@code resource} of the backup back over {@code running} (null when
   * there is none): its spec and labels, not its identity; and a null for every spec field that was
   * set after the backup, since a merge patch removes only what it names.
   */
  @SuppressWarnings("unchecked")
  static Map<String, Object> mergePatch(
      Map<String, Object> resource, GenericKubernetesResource running) {
    Map<String, Object> metadata = (Map<String, Object>) resource.get("metadata");
    Map<String, Object> patch = new LinkedHashMap<>();
    Map<String, Object> meta = new LinkedHashMap<>();
    if (metadata.get("labels") != null) {
      meta.put("labels", metadata.get("labels"));
    }
    patch.put("metadata", meta);
    patch.put("spec", resource.get("spec"));
    if (running != null && resource.get("spec") instanceof Map<?, ?> spec) {
      patch.put("spec", removing((Map<String, Object>) spec, spec(running)));
    }
    return patch;
  }

  /**
   * {@code target} with a null for every key {@code running} has and it lacks, at every depth: a
   * merge patch removes only what it names, and a field set after the backup must go too.
   */
  @SuppressWarnings("unchecked")
  static Map<String, Object> removing(Map<String, Object> target, Map<?, ?> running) {
    Map<String, Object> patch = new LinkedHashMap<>(target);
    for (Map.Entry<?, ?> e : running.entrySet()) {
      String key = String.valueOf(e.getKey());
      Object wanted = target.get(key);
      if (!target.containsKey(key)) {
        patch.put(key, null);
      } else if (wanted instanceof Map<?, ?> w && e.getValue() instanceof Map<?, ?> r) {
        patch.put(key, removing((Map<String, Object>) w, r));
      }
    }
    return patch;
  }

  private static Map<?, ?> spec(GenericKubernetesResource resource) {
    return resource.getAdditionalProperties().get("spec") instanceof Map<?, ?> m ? m : Map.of();
  }
}
