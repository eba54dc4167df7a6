package io.sibus.k8s;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Pods made from a workload's template, named and labelled as the Deployment and StatefulSet
 * controllers do, and owned by the workload (a controller reference, as {@code kubectl} shows).
 */
final class WorkloadPods {
  static final String POD_TEMPLATE_HASH = "pod-template-hash";
  static final String CONTROLLER_REVISION_HASH = "controller-revision-hash";
  static final String STATEFUL_POD_NAME = "statefulset.kubernetes.io/pod-name";
  static final String POD_INDEX = "apps.kubernetes.io/pod-index";
  private static final String SUFFIX_CHARACTERS = "abcdefghijklmnopqrstuvwxyz0123456789";

  private final KubernetesSerialization serialization;

  WorkloadPods(KubernetesSerialization serialization) {
    this.serialization = serialization;
  }

  /** 10 hex characters that change when the template changes. */
  String templateHash(PodTemplateSpec template) {
    try {
      byte[] json = serialization.asJson(template).getBytes(StandardCharsets.UTF_8);
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(json);
      return HexFormat.of().formatHex(digest).substring(0, 10);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e); // every JDK has SHA-256
    }
  }

  /** A Deployment's pod: {@code <deployment>-<template hash>-<5 random characters>}. */
  Pod deploymentPod(HasMetadata deployment, PodTemplateSpec template) {
    String hash = templateHash(template);
    StringBuilder name = new StringBuilder(deployment.getMetadata().getName() + "-" + hash + "-");
    ThreadLocalRandom random = ThreadLocalRandom.current();
    for (int i = 0; i < 5; i++) {
      name.append(SUFFIX_CHARACTERS.charAt(random.nextInt(SUFFIX_CHARACTERS.length())));
    }
    Pod pod = fromTemplate(deployment, template, name.toString());
    pod.getMetadata().getLabels().put(POD_TEMPLATE_HASH, hash);
    return pod;
  }

  /** A StatefulSet's pod {@code <statefulset>-<ordinal>}, its host name its own name. */
  Pod statefulPod(
      HasMetadata statefulSet, PodTemplateSpec template, String serviceName, int ordinal) {
    String name = statefulSet.getMetadata().getName() + "-" + ordinal;
    Pod pod = fromTemplate(statefulSet, template, name);
    Map<String, String> labels = pod.getMetadata().getLabels();
    labels.put(STATEFUL_POD_NAME, name);
    labels.put(POD_INDEX, Integer.toString(ordinal));
    labels.put(CONTROLLER_REVISION_HASH, revision(statefulSet, template));
    pod.getSpec().setHostname(name);
    pod.getSpec().setSubdomain(serviceName);
    return pod;
  }

  /** The name of a StatefulSet's revision for {@code template}. */
  String revision(HasMetadata statefulSet, PodTemplateSpec template) {
    return statefulSet.getMetadata().getName() + "-" + templateHash(template);
  }

  private Pod fromTemplate(HasMetadata owner, PodTemplateSpec template, String name) {
    PodTemplateSpec copy = serialization.clone(template);
    ObjectMeta meta = copy.getMetadata() == null ? new ObjectMeta() : copy.getMetadata();
    Map<String, String> labels = new LinkedHashMap<>();
    if (meta.getLabels() != null) {
      labels.putAll(meta.getLabels());
    }
    return new PodBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace(owner.getMetadata().getNamespace())
        .withLabels(labels)
        .withAnnotations(meta.getAnnotations())
        .withOwnerReferences(controllerReference(owner))
        .endMetadata()
        .withSpec(copy.getSpec())
        .build();
  }

  private static OwnerReference controllerReference(HasMetadata owner) {
    return new OwnerReferenceBuilder()
        .withApiVersion(owner.getApiVersion())
        .withKind(owner.getKind())
        .withName(owner.getMetadata().getName())
        .withUid(owner.getMetadata().getUid())
        .withController(true)
        .withBlockOwnerDeletion(true)
        .build();
  }

  /** The uid of the workload (of {@code kind}) that controls {@code pod}, or null. */
  static String controllerUid(Pod pod, String kind) {
    for (OwnerReference reference : pod.getMetadata().getOwnerReferences()) {
      if (Boolean.TRUE.equals(reference.getController())
          && kind.equals(reference.getKind())
          && "apps/v1".equals(reference.getApiVersion())) {
        return reference.getUid();
      }
    }
    return null;
  }
}
