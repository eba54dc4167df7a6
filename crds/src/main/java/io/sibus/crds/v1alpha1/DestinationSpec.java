package io.sibus.crds.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.ValidationRule;

/** What a destination should be. */
public class DestinationSpec {
  @Required
  @Pattern("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
  @ValidationRule(value = "self == oldSelf", message = "bus is immutable")
  @JsonPropertyDescription("The Bus of the destination. Immutable.")
  private String bus;

  @Default("Queue")
  @JsonPropertyDescription("The kind of destination: Queue (point to point).")
  private Type type = Type.Queue;

  @Required
  @Pattern("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
  @JsonPropertyDescription(
      "The MessagingEngine that holds the destination's messages (its queue point). Senders may"
          + " use any engine of the bus; receivers use this one.")
  private String localizedOn;

  @Default("ASSURED_PERSISTENT")
  @JsonPropertyDescription(
      "The reliability of messages sent without one: BEST_EFFORT_NONPERSISTENT,"
          + " EXPRESS_NONPERSISTENT, RELIABLE_NONPERSISTENT, RELIABLE_PERSISTENT or"
          + " ASSURED_PERSISTENT.")
  private Reliability defaultReliability = Reliability.ASSURED_PERSISTENT;

  @Default("5")
  @Min(0)
  @JsonPropertyDescription(
      "Deliveries after the first before a message goes to the engine's exception destination.")
  private Integer maxRedeliveries = 5;

  @Min(1)
  @JsonPropertyDescription("Most messages the destination holds; sends beyond it are refused.")
  private Long maxDepth;

  /** Kinds of destination. */
  public enum Type {
    Queue
  }

  /** The five reliability levels. */
  public enum Reliability {
    BEST_EFFORT_NONPERSISTENT,
    EXPRESS_NONPERSISTENT,
    RELIABLE_NONPERSISTENT,
    RELIABLE_PERSISTENT,
    ASSURED_PERSISTENT
  }

  public String getBus() {
    return bus;
  }

  public void setBus(String bus) {
    this.bus = bus;
  }

  public Type getType() {
    return type;
  }

  public void setType(Type type) {
    this.type = type;
  }

  public String getLocalizedOn() {
    return localizedOn;
  }

  public void setLocalizedOn(String localizedOn) {
    this.localizedOn = localizedOn;
  }

  public Reliability getDefaultReliability() {
    return defaultReliability;
  }

  public void setDefaultReliability(Reliability defaultReliability) {
    this.defaultReliability = defaultReliability;
  }

  public Integer getMaxRedeliveries() {
    return maxRedeliveries;
  }

  public void setMaxRedeliveries(Integer maxRedeliveries) {
    this.maxRedeliveries = maxRedeliveries;
  }

  public Long getMaxDepth() {
    return maxDepth;
  }

  public void setMaxDepth(Long maxDepth) {
    this.maxDepth = maxDepth;
  }
}
