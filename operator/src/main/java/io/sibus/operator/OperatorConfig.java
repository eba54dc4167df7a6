package io.sibus.operator;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** The operator's own settings. */
@ConfigMapping(prefix = "sibus.operator")
public interface OperatorConfig {
  /** The engine image used when a MessagingEngine names none. */
  @WithDefault("ghcr.io/sibus/engine:0.1.0")
  String engineImage();

  /** The HTTP port of engine members (API, probes). */
  @WithDefault("8080")
  int enginePort();

  /** How often an engine is looked at when nothing changes (its members' states are polled). */
  @WithDefault("2s")
  Duration reconcileInterval();

  /** How long a call to a member's admin API may take. */
  @WithDefault("2s")
  Duration adminTimeout();

  /** The Lease the operator replicas elect their leader with. */
  @WithDefault("sibus-operator")
  String leaseName();

  /** The namespace of that Lease; the operator's own namespace when unset. */
  java.util.Optional<String> leaseNamespace();

  /** How long the leader's Lease lasts without renewal (a killed leader is replaced after it). */
  @WithDefault("15s")
  Duration leaseDuration();

  /** How long the leader tries to renew before it steps down. */
  @WithDefault("10s")
  Duration renewDeadline();

  /** How often the Lease is renewed or tried. */
  @WithDefault("2s")
  Duration retryPeriod();

  /** This replica's identity in the Lease; the host (pod) name when unset. */
  java.util.Optional<String> identity();
}
