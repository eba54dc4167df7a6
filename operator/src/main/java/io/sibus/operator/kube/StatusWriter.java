package io.sibus.operator.kube;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.Map;

/**
 * Writes status with a JSON merge patch of the status subresource, sending nothing but the status:
 * it never conflicts with a user's edit of the spec, needs no resourceVersion, and runs unchanged
 * against the test API server and a real cluster (no server-side apply).
 */
@ApplicationScoped
public class StatusWriter {
  private final KubernetesClient client;

  public StatusWriter(KubernetesClient client) {
    this.client = client;
  }

  public <T extends HasMetadata> void write(Class<T> type, T resource, Object status) {
    String patch =
        Serialization.asJson(List.of(Map.of("op", "add", "path", "/status", "value", status)));
    client
        .resources(type)
        .inNamespace(resource.getMetadata().getNamespace())
        .withName(resource.getMetadata().getName())
        .subresource("status")
        .patch(PatchContext.of(PatchType.JSON), patch);
  }
}
