package io.sibus.local;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.APIGroup;
import io.fabric8.kubernetes.api.model.APIGroupBuilder;
import io.fabric8.kubernetes.api.model.APIGroupListBuilder;
import io.fabric8.kubernetes.api.model.APIResource;
import io.fabric8.kubernetes.api.model.APIResourceBuilder;
import io.fabric8.kubernetes.api.model.APIResourceListBuilder;
import io.fabric8.kubernetes.api.model.APIVersionsBuilder;
import io.fabric8.kubernetes.api.model.GroupVersionForDiscovery;
import io.fabric8.mockwebserver.http.MockResponse;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * API discovery for kubectl: {@code /version}, {@code /api}, {@code /api/v1}, {@code /apis}, {@code
 * /apis/<group>} and {@code /apis/<group>/<version>}, from the built-in kinds and from the
 * CustomResourceDefinitions stored at the moment of the request (so a CRD is discoverable as soon
 * as it is created, and gone once deleted). The OpenAPI documents answer 404: kubectl then works
 * without them when told {@code --validate=false}.
 */
final class Discovery {
  private final Supplier<List<JsonNode>> crds;

  /** {@code crds}: the stored CustomResourceDefinitions, read on every discovery request. */
  Discovery(Supplier<List<JsonNode>> crds) {
    this.crds = crds;
  }

  /** The answer to a GET of {@code path} (without query), or null if it is not for discovery. */
  MockResponse answer(String path) {
    String[] parts = path.replaceAll("^/+|/+$", "").split("/");
    return switch (parts[0]) {
      case "version" -> parts.length == 1 ? ok(version()) : null;
      case "openapi" -> notFound(path);
      case "api" -> parts.length > 2 ? null : core(parts);
      case "apis" -> parts.length > 3 ? null : groups(parts);
      default -> null;
    };
  }

  private MockResponse core(String[] parts) {
    if (parts.length == 1) {
      return ok(new APIVersionsBuilder().withVersions("v1").build());
    }
    return parts[1].equals("v1") ? ok(resourceList("", "v1")) : notFound("/api/" + parts[1]);
  }

  private MockResponse groups(String[] parts) {
    Map<String, APIGroup> groups = groups();
    if (parts.length == 1) {
      return ok(new APIGroupListBuilder().withGroups(new ArrayList<>(groups.values())).build());
    }
    APIGroup group = groups.get(parts[1]);
    if (group == null) {
      return notFound("/apis/" + parts[1]);
    }
    if (parts.length == 2) {
      return ok(group);
    }
    boolean served = group.getVersions().stream().anyMatch(v -> v.getVersion().equals(parts[2]));
    return served
        ? ok(resourceList(parts[1], parts[2]))
        : notFound("/apis/" + parts[1] + "/" + parts[2]);
  }

  /** The named groups, in discovery order (kubectl resolves ambiguous names by it). */
  private Map<String, APIGroup> groups() {
    Map<String, Map<String, GroupVersionForDiscovery>> versions = new LinkedHashMap<>();
    for (ApiKind kind : kinds()) {
      if (!kind.group().isEmpty()) {
        versions
            .computeIfAbsent(kind.group(), group -> new LinkedHashMap<>())
            .putIfAbsent(kind.version(), discovery(kind));
      }
    }
    Map<String, APIGroup> groups = new LinkedHashMap<>();
    versions.forEach(
        (name, served) -> {
          List<GroupVersionForDiscovery> list = new ArrayList<>(served.values());
          groups.put(
              name,
              new APIGroupBuilder()
                  .withName(name)
                  .withVersions(list)
                  .withPreferredVersion(list.get(0))
                  .build());
        });
    return groups;
  }

  private Object resourceList(String group, String version) {
    List<APIResource> resources = new ArrayList<>();
    for (ApiKind kind : kinds()) {
      if (kind.group().equals(group) && kind.version().equals(version)) {
        resources.add(resource(kind));
        if (kind.status()) {
          resources.add(statusOf(kind));
        }
      }
    }
    String groupVersion = group.isEmpty() ? version : group + "/" + version;
    return new APIResourceListBuilder()
        .withGroupVersion(groupVersion)
        .withResources(resources)
        .build();
  }

  private List<ApiKind> kinds() {
    List<ApiKind> kinds = new ArrayList<>(BuiltInApis.KINDS);
    crds.get().forEach(crd -> kinds.addAll(CustomKinds.of(crd)));
    return kinds;
  }

  private static APIResource resource(ApiKind kind) {
    return new APIResourceBuilder()
        .withName(kind.plural())
        .withSingularName(kind.singular())
        .withNamespaced(kind.namespaced())
        .withKind(kind.kind())
        .withVerbs(kind.verbs())
        .withShortNames(kind.shortNames().isEmpty() ? null : kind.shortNames())
        .withCategories(kind.categories().isEmpty() ? null : kind.categories())
        .build();
  }

  private static APIResource statusOf(ApiKind kind) {
    return new APIResourceBuilder()
        .withName(kind.plural() + "/status")
        .withSingularName("")
        .withNamespaced(kind.namespaced())
        .withKind(kind.kind())
        .withVerbs("get", "patch", "update")
        .build();
  }

  private static GroupVersionForDiscovery discovery(ApiKind kind) {
    return new GroupVersionForDiscovery(kind.groupVersion(), kind.version());
  }

  private static Map<String, String> version() {
    Map<String, String> version = new LinkedHashMap<>();
    version.put("major", "1");
    version.put("minor", "32");
    version.put("gitVersion", "v1.32.0-sibus-local");
    version.put("gitCommit", "0000000000000000000000000000000000000000");
    version.put("gitTreeState", "clean");
    version.put("buildDate", "2025-01-01T00:00:00Z");
    version.put("goVersion", "go1.23");
    version.put("compiler", "gc");
    version.put("platform", "linux/amd64");
    return version;
  }

  private static MockResponse ok(Object document) {
    return Responses.json(200, document);
  }

  private static MockResponse notFound(String path) {
    return Responses.failure(
        404, "NotFound", "the server could not find the requested resource: " + path);
  }
}
