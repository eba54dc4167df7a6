package io.sibus.k8s;

/** A container that cannot be started, with the waiting reason a kubelet would report. */
final class PodStartException extends RuntimeException {
  private final String reason;

  PodStartException(String reason, String message) {
    super(message);
    this.reason = reason;
  }

  String reason() {
    return reason;
  }
}
