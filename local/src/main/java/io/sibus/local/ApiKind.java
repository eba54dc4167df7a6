package io.sibus.local;

import java.util.List;

/**
 * One resource type as API discovery describes it: where it lives (group and version), how it is
 * named in URLs and by kubectl (plural, singular, short names, categories), its kind, whether it is
 * namespaced, which verbs it serves and whether it has a status subresource.
 */
record ApiKind(
    String group,
    String version,
    String plural,
    String singular,
    String kind,
    boolean namespaced,
    List<String> shortNames,
    List<String> categories,
    List<String> verbs,
    boolean status) {

  /** The verbs of a stored kind: everything the CRUD server implements. */
  static final List<String> CRUD =
      List.of("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch");

  /** The verbs of a review kind (SelfSubjectRulesReview and friends): create only. */
  static final List<String> CREATE_ONLY = List.of("create");

  /** {@code group/version}, or just the version for the core group. */
  String groupVersion() {
    return group.isEmpty() ? version : group + "/" + version;
  }
}
