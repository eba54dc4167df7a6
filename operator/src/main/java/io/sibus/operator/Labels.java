package io.sibus.operator;

import java.util.Map;

/** Labels and annotations the operator puts on what it creates (CONTRACT.md). */
public final class Labels {
  public static final String BUS = "sibus.io/bus";
  public static final String ENGINE = "sibus.io/engine";
  public static final String ROLE = "sibus.io/role";
  public static final String ROLE_ACTIVE = "active";
  public static final String ROLE_STANDBY = "standby";
  public static final String MANAGED_BY = "app.kubernetes.io/managed-by";
  public static final String OPERATOR = "sibus-operator";

  /** On an engine's Lease: no member may take it (a global error is being held). */
  public static final String FAILOVER_SUPPRESSED = "sibus.io/failover-suppressed";

  private Labels() {}

  /** The labels of every member pod of an engine (the role label is added separately). */
  public static Map<String, String> member(String bus, String engine) {
    return Map.of(BUS, bus, ENGINE, engine, MANAGED_BY, OPERATOR);
  }
}
