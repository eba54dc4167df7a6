package io.sibus.crds.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;

/** What the operator observed of a messaging engine (written only by the operator). */
public class MessagingEngineStatus {
  @JsonPropertyDescription(
      "Pending, Starting, Running, Degraded, Stopped, Restoring, GlobalError, Disabled or"
          + " Paused.")
  private String phase;

  @JsonPropertyDescription("The member pod that holds the data store and serves the engine.")
  private String activeMember;

  @JsonPropertyDescription("Members fit to serve or take over, of those wanted, as 'ready/wanted'.")
  private String membersReady;

  @JsonPropertyDescription("Every member pod as last observed.")
  private List<MemberStatus> members = new ArrayList<>();

  @JsonPropertyDescription(
      "Ready, HighlyAvailable, DataStoreReady, GlobalError, FailoverSuppressed,"
          + " RestartAfterRestore, RestoreDetected, ReconciliationPaused.")
  private List<Condition> conditions = new ArrayList<>();

  @JsonPropertyDescription("The metadata.generation this status describes.")
  private Long observedGeneration;

  @JsonPropertyDescription("The last restart after restore (sibus.io/restart-after-restore).")
  private TokenActionStatus restartAfterRestore;

  @JsonPropertyDescription("The last recovery start (sibus.io/recovery).")
  private TokenActionStatus recovery;

  @JsonPropertyDescription("The last sibus.io/clear-global-error token acted upon.")
  private String observedClearGlobalErrorToken;

  @JsonPropertyDescription("The last sibus.io/reenable-members token acted upon.")
  private String observedReenableMembersToken;

  @JsonPropertyDescription("The last change of active member.")
  private FailoverRecord lastFailover;

  public String getPhase() {
    return phase;
  }

  public void setPhase(String phase) {
    this.phase = phase;
  }

  public String getActiveMember() {
    return activeMember;
  }

  public void setActiveMember(String activeMember) {
    this.activeMember = activeMember;
  }

  public String getMembersReady() {
    return membersReady;
  }

  public void setMembersReady(String membersReady) {
    this.membersReady = membersReady;
  }

  public List<MemberStatus> getMembers() {
    return members;
  }

  public void setMembers(List<MemberStatus> members) {
    this.members = members;
  }

  public List<Condition> getConditions() {
    return conditions;
  }

  public void setConditions(List<Condition> conditions) {
    this.conditions = conditions;
  }

  public Long getObservedGeneration() {
    return observedGeneration;
  }

  public void setObservedGeneration(Long observedGeneration) {
    this.observedGeneration = observedGeneration;
  }

  public TokenActionStatus getRestartAfterRestore() {
    return restartAfterRestore;
  }

  public void setRestartAfterRestore(TokenActionStatus restartAfterRestore) {
    this.restartAfterRestore = restartAfterRestore;
  }

  public TokenActionStatus getRecovery() {
    return recovery;
  }

  public void setRecovery(TokenActionStatus recovery) {
    this.recovery = recovery;
  }

  public String getObservedClearGlobalErrorToken() {
    return observedClearGlobalErrorToken;
  }

  public void setObservedClearGlobalErrorToken(String observedClearGlobalErrorToken) {
    this.observedClearGlobalErrorToken = observedClearGlobalErrorToken;
  }

  public String getObservedReenableMembersToken() {
    return observedReenableMembersToken;
  }

  public void setObservedReenableMembersToken(String observedReenableMembersToken) {
    this.observedReenableMembersToken = observedReenableMembersToken;
  }

  public FailoverRecord getLastFailover() {
    return lastFailover;
  }

  public void setLastFailover(FailoverRecord lastFailover) {
    this.lastFailover = lastFailover;
  }
}
