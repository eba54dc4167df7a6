package io.sibus.datastore;

import java.util.UUID;

/** The owner row of a data store, as last read. */
public record OwnerRecord(
    UUID engineUuid,
    String bus,
    String engine,
    int schemaVersion,
    UUID incarnation,
    long epoch,
    String activeMember,
    String activeUrl,
    String suppressedCode,
    String suppressedMessage) {

  public boolean failoverSuppressed() {
    return suppressedCode != null;
  }
}
