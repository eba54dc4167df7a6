package io.sibus.crds.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** The progress of a one-shot action asked for by an annotation token. */
public class TokenActionStatus {
  @JsonPropertyDescription("The annotation value (token) this action was started for.")
  private String observedToken;

  @JsonPropertyDescription("Pending, Flushing (or Recovering), Completed or Failed.")
  private String phase;

  @JsonPropertyDescription("What the engine said, in particular when it failed.")
  private String message;

  public TokenActionStatus() {}

  public TokenActionStatus(String observedToken, String phase, String message) {
    this.observedToken = observedToken;
    this.phase = phase;
    this.message = message;
  }

  public String getObservedToken() {
    return observedToken;
  }

  public void setObservedToken(String observedToken) {
    this.observedToken = observedToken;
  }

  public String getPhase() {
    return phase;
  }

  public void setPhase(String phase) {
    this.phase = phase;
  }

  public String getMessage() {
    return message;
  }

  public void setMessage(String message) {
    this.message = message;
  }
}
