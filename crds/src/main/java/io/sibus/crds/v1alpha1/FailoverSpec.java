package io.sibus.crds.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.ValidationRule;

/**
 * The engine's Lease: who may try to become active. A member that is known dead has its Lease
 * released by the operator at once; these times only matter when a member vanishes silently.
 */
@ValidationRule(
    value = "self.renewDeadlineSeconds < self.leaseDurationSeconds",
    message = "renewDeadlineSeconds must be less than leaseDurationSeconds")
@ValidationRule(
    value = "self.retryPeriodSeconds < self.renewDeadlineSeconds",
    message = "retryPeriodSeconds must be less than renewDeadlineSeconds")
public class FailoverSpec {
  @Default("15")
  @Min(2)
  @Max(300)
  @JsonPropertyDescription("How long a Lease holder that stops renewing keeps it, in seconds.")
  private Integer leaseDurationSeconds = 15;

  @Default("10")
  @Min(1)
  @Max(299)
  @JsonPropertyDescription(
      "How long the active member keeps trying to renew before it gives up and stops, in"
          + " seconds; less than leaseDurationSeconds.")
  private Integer renewDeadlineSeconds = 10;

  @Default("2")
  @Min(1)
  @Max(60)
  @JsonPropertyDescription("How often the Lease is renewed or tried, in seconds.")
  private Integer retryPeriodSeconds = 2;

  public Integer getLeaseDurationSeconds() {
    return leaseDurationSeconds;
  }

  public void setLeaseDurationSeconds(Integer leaseDurationSeconds) {
    this.leaseDurationSeconds = leaseDurationSeconds;
  }

  public Integer getRenewDeadlineSeconds() {
    return renewDeadlineSeconds;
  }

  public void setRenewDeadlineSeconds(Integer renewDeadlineSeconds) {
    this.renewDeadlineSeconds = renewDeadlineSeconds;
  }

  public Integer getRetryPeriodSeconds() {
    return retryPeriodSeconds;
  }

  public void setRetryPeriodSeconds(Integer retryPeriodSeconds) {
    this.retryPeriodSeconds = retryPeriodSeconds;
  }
}
