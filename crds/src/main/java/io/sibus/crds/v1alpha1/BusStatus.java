package io.sibus.crds.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;

/** The bus as its engines report it. */
public class BusStatus {
  @JsonPropertyDescription(
      "Running when every engine runs, Degraded otherwise, Pending when empty.")
  private String phase;

  @JsonPropertyDescription("Engines running, of those of the bus, as 'running/total'.")
  private String enginesReady;

  @JsonPropertyDescription("The engines of the bus and their phases.")
  private List<EngineSummary> engines = new ArrayList<>();

  @JsonPropertyDescription("Ready.")
  private List<Condition> conditions = new ArrayList<>();

  @JsonPropertyDescription("The metadata.generation this status describes.")
  private Long observedGeneration;

  /** One engine of the bus. */
  public static class EngineSummary {
    @JsonPropertyDescription("The MessagingEngine name.")
    private String name;

    @JsonPropertyDescription("Its phase.")
    private String phase;

    @JsonPropertyDescription("Its active member.")
    private String activeMember;

    public EngineSummary() {}

    public EngineSummary(String name, String phase, String activeMember) {
      this.name = name;
      this.phase = phase;
      this.activeMember = activeMember;
    }

    public String getName() {
      return name;
    }

    public void setName(String name) {
      this.name = name;
    }

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
  }

  public String getPhase() {
    return phase;
  }

  public void setPhase(String phase) {
    this.phase = phase;
  }

  public String getEnginesReady() {
    return enginesReady;
  }

  public void setEnginesReady(String enginesReady) {
    this.enginesReady = enginesReady;
  }

  public List<EngineSummary> getEngines() {
    return engines;
  }

  public void setEngines(List<EngineSummary> engines) {
    this.engines = engines;
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
