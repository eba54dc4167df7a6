package io.sibus.operator.reconciler;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.sibus.crds.v1alpha1.MessagingEngine;
import io.sibus.operator.Labels;
import io.sibus.operator.OperatorConfig;
import io.sibus.operator.model.MemberPods;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/** The member pods of an engine: created to the wanted number, surplus removed, roles labelled. */
@ApplicationScoped
public class MemberPodSet {
  private final KubernetesClient client;
  private final OperatorConfig config;

  public MemberPodSet(KubernetesClient client, OperatorConfig config) {
    this.client = client;
    this.config = config;
  }

  public List<Pod> list(MessagingEngine me) {
    return client
        .pods()
        .inNamespace(me.getMetadata().getNamespace())
        .withLabel(Labels.ENGINE, me.getMetadata().getName())
        .list()
        .getItems();
  }

  /** Creates missing members and deletes those beyond {@code spec.members}. */
  public void scale(MessagingEngine me, List<Pod> pods) {
    String engine = me.getMetadata().getName();
    int wanted = me.getSpec().getMembers() == null ? 2 : me.getSpec().getMembers();
    Set<String> existing =
        pods.stream().map(p -> p.getMetadata().getName()).collect(Collectors.toSet());
    for (int i = 0; i < wanted; i++) {
      if (!existing.contains(MemberPods.name(engine, i))) {
        Pod pod = MemberPods.build(me, i, config.engineImage(), config.enginePort());
        client.pods().inNamespace(me.getMetadata().getNamespace()).resource(pod).create();
      }
    }
    for (Pod pod : pods) {
      if (index(engine, pod.getMetadata().getName()) >= wanted
          && pod.getMetadata().getDeletionTimestamp() == null) {
        client.pods().inNamespace(me.getMetadata().getNamespace()).resource(pod).delete();
      }
    }
  }

  /** Labels {@code active} with the active role and every other member as a standby. */
  public void label(List<Pod> pods, String active) {
    for (Pod pod : pods) {
      String role =
          pod.getMetadata().getName().equals(active) ? Labels.ROLE_ACTIVE : Labels.ROLE_STANDBY;
      Map<String, String> labels = pod.getMetadata().getLabels();
      if (labels == null || !role.equals(labels.get(Labels.ROLE))) {
        Map<String, String> next = labels == null ? new HashMap<>() : new HashMap<>(labels);
        next.put(Labels.ROLE, role);
        client
            .pods()
            .inNamespace(pod.getMetadata().getNamespace())
            .withName(pod.getMetadata().getName())
            .edit(
                p -> {
                  p.getMetadata().setLabels(next);
                  return p;
                });
      }
    }
  }

  public void deleteAll(MessagingEngine me) {
    for (Pod pod : list(me)) {
      client.pods().inNamespace(me.getMetadata().getNamespace()).resource(pod).delete();
    }
  }

  static int index(String engine, String podName) {
    try {
      return Integer.parseInt(podName.substring(engine.length() + 1));
    } catch (RuntimeException e) {
      return Integer.MAX_VALUE;
    }
  }
}
