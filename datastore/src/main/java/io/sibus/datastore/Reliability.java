package io.sibus.datastore;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * The five reliability levels of the service integration bus, with the numeric codes the WebSphere
 * engine stores (5 to 45). Only the two persistent levels reach the data store.
 */
public enum Reliability {
  /** Kept in memory only, may be discarded at any time the engine is short of resources. */
  BEST_EFFORT_NONPERSISTENT(5),
  /** Kept in memory only; lost when the engine stops or fails, or when memory runs out. */
  EXPRESS_NONPERSISTENT(15),
  /** Kept in memory only; lost when the engine stops or fails, never discarded while it runs. */
  RELIABLE_NONPERSISTENT(25),
  /** Written to the data store behind the send: may be lost if the engine fails. */
  RELIABLE_PERSISTENT(35),
  /** Committed to the data store before the send is acknowledged: never lost, never duplicated. */
  ASSURED_PERSISTENT(45);

  private final int code;

  Reliability(int code) {
    this.code = code;
  }

  public int code() {
    return code;
  }

  public boolean persistent() {
    return this == RELIABLE_PERSISTENT || this == ASSURED_PERSISTENT;
  }

  public static Reliability fromCode(int code) {
    return Arrays.stream(values())
        .filter(r -> r.code == code)
        .findFirst()
        .orElseThrow(() -> new IllegalArgumentException("unknown reliability code " + code));
  }

  /** Parses a level name, case-insensitively; empty when the text names no level. */
  public static Optional<Reliability> parse(String text) {
    if (text == null) {
      return Optional.empty();
    }
    String wanted = text.trim().toUpperCase(Locale.ROOT);
    return Arrays.stream(values()).filter(r -> r.name().equals(wanted)).findFirst();
  }
}
