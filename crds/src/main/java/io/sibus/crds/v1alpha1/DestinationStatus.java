package io.sibus.crds.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;

/** The destination as its engine reports it. */
public class DestinationStatus {
  @JsonPropertyDescription("Messages on the destination, as its engine last reported.")
  private Long depth;

  @JsonPropertyDescription(
      "Ready: the destination is in its bus configuration and its engine runs.")
  private List<Condition> conditions = new ArrayList<>();

  @JsonPropertyDescription("The metadata.generation this status describes.")
  private Long observedGeneration;

  public Long getDepth() {
    return depth;
  }

  public void setDepth(Long depth) {
    this.depth = depth;
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
}
