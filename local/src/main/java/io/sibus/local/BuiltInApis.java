package io.sibus.local;

import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The built-in resource types the local API server announces in discovery: the kinds sibus and its
 * tests use, with the names, short names and scopes of a real API server, so that kubectl resolves
 * {@code po}, {@code cm}, {@code deploy} and friends. Storage is fabric8's CRUD server, which keeps
 * any kind; this list only decides what kubectl can name.
 */
final class BuiltInApis {
  /** Kinds in the {@code all} category, which {@code kubectl get all} lists. */
  private static final Set<String> ALL =
      Set.of(
          "pods",
          "services",
          "deployments",
          "statefulsets",
          "replicasets",
          "daemonsets",
          "jobs",
          "cronjobs");

  static final List<ApiKind> KINDS =
      List.of(
          stored("", "v1", "pods", "Pod", true, true, "po"),
          stored("", "v1", "services", "Service", true, true, "svc"),
          stored("", "v1", "endpoints", "Endpoints", true, false, "ep"),
          stored("", "v1", "configmaps", "ConfigMap", true, false, "cm"),
          stored("", "v1", "secrets", "Secret", true, false),
          stored("", "v1", "namespaces", "Namespace", false, true, "ns"),
          stored("", "v1", "serviceaccounts", "ServiceAccount", true, false, "sa"),
          stored("", "v1", "events", "Event", true, false, "ev"),
          stored("", "v1", "persistentvolumeclaims", "PersistentVolumeClaim", true, true, "pvc"),
          stored("", "v1", "persistentvolumes", "PersistentVolume", false, true, "pv"),
          stored("", "v1", "nodes", "Node", false, true, "no"),
          stored("", "v1", "resourcequotas", "ResourceQuota", true, true, "quota"),
          stored("", "v1", "limitranges", "LimitRange", true, false, "limits"),
          stored("apps", "v1", "deployments", "Deployment", true, true, "deploy"),
          stored("apps", "v1", "statefulsets", "StatefulSet", true, true, "sts"),
          stored("apps", "v1", "replicasets", "ReplicaSet", true, true, "rs"),
          stored("apps", "v1", "daemonsets", "DaemonSet", true, true, "ds"),
          stored("events.k8s.io", "v1", "events", "Event", true, false, "ev"),
          review("authorization.k8s.io", "selfsubjectrulesreviews", "SelfSubjectRulesReview"),
          review("authorization.k8s.io", "selfsubjectaccessreviews", "SelfSubjectAccessReview"),
          review("authorization.k8s.io", "subjectaccessreviews", "SubjectAccessReview"),
          stored("batch", "v1", "jobs", "Job", true, true),
          stored("batch", "v1", "cronjobs", "CronJob", true, true, "cj"),
          stored("networking.k8s.io", "v1", "ingresses", "Ingress", true, true, "ing"),
          stored(
              "networking.k8s.io", "v1", "networkpolicies", "NetworkPolicy", true, false, "netpol"),
          stored("policy", "v1", "poddisruptionbudgets", "PodDisruptionBudget", true, true, "pdb"),
          stored("rbac.authorization.k8s.io", "v1", "roles", "Role", true, false),
          stored("rbac.authorization.k8s.io", "v1", "rolebindings", "RoleBinding", true, false),
          stored("rbac.authorization.k8s.io", "v1", "clusterroles", "ClusterRole", false, false),
          stored(
              "rbac.authorization.k8s.io",
              "v1",
              "clusterrolebindings",
              "ClusterRoleBinding",
              false,
              false),
          stored("coordination.k8s.io", "v1", "leases", "Lease", true, false),
          stored(
              "apiextensions.k8s.io",
              "v1",
              "customresourcedefinitions",
              "CustomResourceDefinition",
              false,
              true,
              "crd",
              "crds"));

  private BuiltInApis() {}

  private static ApiKind stored(
      String group,
      String version,
      String plural,
      String kind,
      boolean namespaced,
      boolean status,
      String... shortNames) {
    boolean inAll = ALL.contains(plural) && !group.contains(".");
    return new ApiKind(
        group,
        version,
        plural,
        kind.toLowerCase(Locale.ROOT),
        kind,
        namespaced,
        List.of(shortNames),
        inAll ? List.of("all") : List.of(),
        ApiKind.CRUD,
        status);
  }

  private static ApiKind review(String group, String plural, String kind) {
    return new ApiKind(
        group, "v1", plural, "", kind, false, List.of(), List.of(), ApiKind.CREATE_ONLY, false);
  }
}
