package io.sibus.operator.kube;

import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * Typed events on sibus resources ({@code kubectl describe} shows them). Never fails a reconcile.
 */
@ApplicationScoped
public class EventRecorder {
  private static final Logger LOG = Logger.getLogger(EventRecorder.class);
  private final KubernetesClient client;

  public EventRecorder(KubernetesClient client) {
    this.client = client;
  }

  public void normal(HasMetadata on, String reason, String message) {
    record(on, "Normal", reason, message);
  }

  public void warning(HasMetadata on, String reason, String message) {
    record(on, "Warning", reason, message);
  }

  private void record(HasMetadata on, String type, String reason, String message) {
    String now = Instant.now().toString();
    LOG.infof("%s %s/%s %s: %s", type, on.getKind(), on.getMetadata().getName(), reason, message);
    try {
      client
          .v1()
          .events()
          .inNamespace(on.getMetadata().getNamespace())
          .resource(
              new EventBuilder()
                  .withNewMetadata()
                  .withName(
                      on.getMetadata().getName()
                          + "."
                          + UUID.randomUUID().toString().substring(0, 8))
                  .withNamespace(on.getMetadata().getNamespace())
                  .endMetadata()
                  .withNewInvolvedObject()
                  .withApiVersion(on.getApiVersion())
                  .withKind(on.getKind())
                  .withName(on.getMetadata().getName())
                  .withNamespace(on.getMetadata().getNamespace())
                  .withUid(on.getMetadata().getUid())
                  .endInvolvedObject()
                  .withType(type)
                  .withReason(reason)
                  .withMessage(message)
                  .withFirstTimestamp(now)
                  .withLastTimestamp(now)
                  .withCount(1)
                  .withNewSource()
                  .withComponent("sibus-operator")
                  .endSource()
                  .build())
          .create();
    } catch (RuntimeException e) {
      LOG.debugf("event %s not recorded: %s", reason, e.getMessage());
    }
  }
}
