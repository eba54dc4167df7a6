package io.sibus.crds.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import java.util.LinkedHashMap;
import java.util.Map;

/** What a messaging engine should be. */
public class MessagingEngineSpec {
  @Required
  @Pattern("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
  @ValidationRule(value = "self == oldSelf", message = "bus is immutable")
  @JsonPropertyDescription(
      "The Bus this engine belongs to (a Bus resource in the same namespace). Immutable.")
  private String bus;

  @Default("2")
  @Min(1)
  @Max(5)
  @JsonPropertyDescription(
      "Member pods of the engine: one is active, the others are hot standbys. 1 means no"
          + " failover. From 1 to 5.")
  private Integer members = 2;

  @Default("Started")
  @JsonPropertyDescription(
      "Started: the engine runs. Stopped: every member stays up but its engine stays stopped, as"
          + " the first step of restoring a data store.")
  private InitialState initialState = InitialState.Started;

  @Required
  @JsonPropertyDescription("The engine's PostgreSQL data store.")
  private DataStoreSpec dataStore;

  @JsonPropertyDescription("How fast a standby takes over from a member that stopped renewing.")
  private FailoverSpec failover = new FailoverSpec();

  @JsonPropertyDescription("The engine image; the operator's default engine image when unset.")
  private String image;

  @JsonPropertyDescription("CPU and memory of each member's container.")
  private ResourceRequirements resources;

  @JsonPropertyDescription(
      "Further engine configuration, as sibus.* property names and values (for example"
          + " sibus.engine.max-message-size).")
  private Map<String, String> properties = new LinkedHashMap<>();

  /** Whether the engine runs. */
  public enum InitialState {
    Started,
    Stopped
  }

  public String getBus() {
    return bus;
  }

  public void setBus(String bus) {
    this.bus = bus;
  }

  public Integer getMembers() {
    return members;
  }

  public void setMembers(Integer members) {
    this.members = members;
  }

  public InitialState getInitialState() {
    return initialState;
  }

  public void setInitialState(InitialState initialState) {
    this.initialState = initialState;
  }

  public DataStoreSpec getDataStore() {
    return dataStore;
  }

  public void setDataStore(DataStoreSpec dataStore) {
    this.dataStore = dataStore;
  }

  public FailoverSpec getFailover() {
    return failover;
  }

  public void setFailover(FailoverSpec failover) {
    this.failover = failover;
  }

  public String getImage() {
    return image;
  }

  public void setImage(String image) {
    this.image = image;
  }

  public ResourceRequirements getResources() {
    return resources;
  }

  public void setResources(ResourceRequirements resources) {
    this.resources = resources;
  }

  public Map<String, String> getProperties() {
    return properties;
  }

  public void setProperties(Map<String, String> properties) {
    this.properties = properties;
  }
}
