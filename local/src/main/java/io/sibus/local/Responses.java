package io.sibus.local;

import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.http.MockResponse;

/** JSON responses of the local API server: documents, and failures as a Kubernetes Status. */
final class Responses {
  private Responses() {}

  static MockResponse json(int code, Object document) {
    return json(code, Serialization.asJson(document));
  }

  static MockResponse json(int code, String json) {
    return new MockResponse()
        .setResponseCode(code)
        .setHeader("Content-Type", "application/json")
        .setBody(json);
  }

  /** A failure as kubectl and the fabric8 client read it: {@code reason} such as NotFound. */
  static MockResponse failure(int code, String reason, String message) {
    return json(
        code,
        new StatusBuilder()
            .withApiVersion("v1")
            .withKind("Status")
            .withStatus("Failure")
            .withReason(reason)
            .withCode(code)
            .withMessage(message)
            .build());
  }
}
