package io.sibus.local;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * The resource types an {@code apiextensions.k8s.io/v1} CustomResourceDefinition declares: one per
 * served version, the storage version first (discovery names the first version of a group as the
 * preferred one), with the CRD's names, scope and status subresource.
 */
final class CustomKinds {
  private CustomKinds() {}

  static List<ApiKind> of(JsonNode crd) {
    JsonNode spec = crd.path("spec");
    JsonNode names = spec.path("names");
    List<ApiKind> kinds = new ArrayList<>();
    for (JsonNode version : spec.path("versions")) {
      if (!version.path("served").asBoolean(true)) {
        continue;
      }
      ApiKind kind =
          new ApiKind(
              spec.path("group").asText(),
              version.path("name").asText(),
              names.path("plural").asText(),
              names.path("singular").asText(names.path("kind").asText().toLowerCase()),
              names.path("kind").asText(),
              !"Cluster".equals(spec.path("scope").asText()),
              strings(names.path("shortNames")),
              strings(names.path("categories")),
              ApiKind.CRUD,
              version.path("subresources").has("status"));
      kinds.add(version.path("storage").asBoolean() ? 0 : kinds.size(), kind);
    }
    return kinds;
  }

  private static List<String> strings(JsonNode list) {
    List<String> strings = new ArrayList<>();
    list.forEach(value -> strings.add(value.asText()));
    return strings;
  }
}
