package io.sibus.operator.reconciler;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.sibus.operator.OperatorConfig;
import io.sibus.operator.admin.EngineAdmin;
import io.sibus.operator.admin.EngineReport;
import io.sibus.operator.model.MemberPods;
import io.sibus.operator.policy.MemberView;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Comparator;
import java.util.List;

/** Turns an engine's pods and its members' admin reports into {@link MemberView}s. */
@ApplicationScoped
public class MemberObserver {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final EngineAdmin admin;
  private final int port;

  public MemberObserver(EngineAdmin admin, OperatorConfig config) {
    this.admin = admin;
    this.port = config.enginePort();
  }

  public List<MemberView> observe(List<Pod> pods) {
    return pods.stream()
        .sorted(Comparator.comparing(p -> p.getMetadata().getName()))
        .map(this::view)
        .toList();
  }

  /** The base URL of a member's API, or null while the pod has no address. */
  public String url(Pod pod) {
    String ip = pod.getStatus() == null ? null : pod.getStatus().getPodIP();
    return ip == null || ip.isBlank() ? null : "http://" + ip + ":" + port;
  }

  private MemberView view(Pod pod) {
    ContainerStatus container =
        pod.getStatus() == null || pod.getStatus().getContainerStatuses() == null
            ? null
            : pod.getStatus().getContainerStatuses().stream()
                .filter(c -> MemberPods.CONTAINER.equals(c.getName()))
                .findFirst()
                .orElse(null);
    boolean running =
        container != null
            && container.getState() != null
            && container.getState().getRunning() != null;
    ContainerStateTerminated terminated = terminated(container);
    String url = url(pod);
    EngineReport report = running && url != null ? admin.report(url) : EngineReport.UNREACHABLE;
    JsonNode message = parse(terminated == null ? null : terminated.getMessage());
    return new MemberView(
        pod.getMetadata().getName(),
        url,
        true,
        pod.getMetadata().getDeletionTimestamp() != null,
        running,
        ready(pod),
        container == null || container.getRestartCount() == null ? 0 : container.getRestartCount(),
        terminated == null ? null : terminated.getExitCode(),
        message == null ? null : message.path("class").asText(null),
        message == null ? null : message.path("code").asText(null),
        report);
  }

  /** The current termination, or else the last one. */
  private static ContainerStateTerminated terminated(ContainerStatus container) {
    if (container == null) {
      return null;
    }
    if (container.getState() != null && container.getState().getTerminated() != null) {
      return container.getState().getTerminated();
    }
    return container.getLastState() == null ? null : container.getLastState().getTerminated();
  }

  private static boolean ready(Pod pod) {
    return pod.getStatus() != null
        && pod.getStatus().getConditions() != null
        && pod.getStatus().getConditions().stream()
            .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
  }

  private static JsonNode parse(String message) {
    if (message == null || message.isBlank()) {
      return null;
    }
    try {
      return JSON.readTree(message);
    } catch (Exception e) {
      return null;
    }
  }
}
