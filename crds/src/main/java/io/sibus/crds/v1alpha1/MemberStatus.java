package io.sibus.crds.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.Set;

/** One member pod as the operator last observed it. */
public class MemberStatus {
  /**
   * The states in which a member no longer touches its data store; UNKNOWN (it cannot be reached)
   * counts, or a crashed member would hold up whatever waits for the engine to stop.
   */
  public static final Set<String> DOWN_STATES =
      Set.of("STOPPED", "DISABLED", "GLOBAL_ERROR", "UNKNOWN");

  @JsonPropertyDescription("The pod name.")
  private String name;

  @JsonPropertyDescription(
      "The engine state the member reports (ACTIVE, STANDBY, ...), or UNKNOWN.")
  private String state;

  @JsonPropertyDescription("True when the member is fit to serve or take over.")
  private Boolean ready;

  @JsonPropertyDescription("Container restarts.")
  private Integer restarts;

  @JsonPropertyDescription("The last termination: exit code and message.")
  private String lastTermination;

  @JsonPropertyDescription("The code of the member's last error, if any.")
  private String lastError;

  public MemberStatus() {}

  public MemberStatus(
      String name,
      String state,
      Boolean ready,
      Integer restarts,
      String lastTermination,
      String lastError) {
    this.name = name;
    this.state = state;
    this.ready = ready;
    this.restarts = restarts;
    this.lastTermination = lastTermination;
    this.lastError = lastError;
  }

  public String getName() {
    return name;
  }

  public void setName(String name) {
    this.name = name;
  }

  public String getState() {
    return state;
  }

  public void setState(String state) {
    this.state = state;
  }

  public Boolean getReady() {
    return ready;
  }

  public void setReady(Boolean ready) {
    this.ready = ready;
  }

  public Integer getRestarts() {
    return restarts;
  }

  public void setRestarts(Integer restarts) {
    this.restarts = restarts;
  }

  public String getLastTermination() {
    return lastTermination;
  }

  public void setLastTermination(String lastTermination) {
    this.lastTermination = lastTermination;
  }

  public String getLastError() {
    return lastError;
  }

  public void setLastError(String lastError) {
    this.lastError = lastError;
  }
}
