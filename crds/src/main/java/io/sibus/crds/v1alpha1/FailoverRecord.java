package io.sibus.crds.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** A change of active member: from whom, to whom, why and how long it took. */
public class FailoverRecord {
  @JsonPropertyDescription("The member that was active.")
  private String from;

  @JsonPropertyDescription("The member that became active.")
  private String to;

  @JsonPropertyDescription("Why: PodDeleted, ContainerTerminated, LocalError, LivenessFailed, ...")
  private String reason;

  @JsonPropertyDescription("When the operator saw the active member go (RFC 3339).")
  private String startedAt;

  @JsonPropertyDescription("When the new member was active (RFC 3339).")
  private String completedAt;

  @JsonPropertyDescription("completedAt minus startedAt, in milliseconds.")
  private Long durationMs;

  public FailoverRecord() {}

  public FailoverRecord(
      String from,
      String to,
      String reason,
      String startedAt,
      String completedAt,
      Long durationMs) {
    this.from = from;
    this.to = to;
    this.reason = reason;
    this.startedAt = startedAt;
    this.completedAt = completedAt;
    this.durationMs = durationMs;
  }

  public String getFrom() {
    return from;
  }

  public void setFrom(String from) {
    this.from = from;
  }

  public String getTo() {
    return to;
  }

  public void setTo(String to) {
    this.to = to;
  }

  public String getReason() {
    return reason;
  }

  public void setReason(String reason) {
    this.reason = reason;
  }

  public String getStartedAt() {
    return startedAt;
  }

  public void setStartedAt(String startedAt) {
    this.startedAt = startedAt;
  }

  public String getCompletedAt() {
    return completedAt;
  }

  public void setCompletedAt(String completedAt) {
    this.completedAt = completedAt;
  }

  public Long getDurationMs() {
    return durationMs;
  }

  public void setDurationMs(Long durationMs) {
    this.durationMs = durationMs;
  }
}
