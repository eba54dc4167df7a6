package io.sibus.crds.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;

/** What a bus should be. */
public class BusSpec {
  @JsonPropertyDescription("What the bus is for.")
  private String description;

  @Default("24h")
  @Pattern("^[0-9]+(ms|s|m|h|d)$")
  @JsonPropertyDescription(
      "How long engines remember the message ids and idempotency keys they accepted, so that"
          + " resent messages are recognised (such as 24h; 0s turns it off).")
  private String dedupWindow = "24h";

  public String getDescription() {
    return description;
  }

  public void setDescription(String description) {
    this.description = description;
  }

  public String getDedupWindow() {
    return dedupWindow;
  }

  public void setDedupWindow(String dedupWindow) {
    this.dedupWindow = dedupWindow;
  }
}
