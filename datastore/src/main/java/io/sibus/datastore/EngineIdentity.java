package io.sibus.datastore;

import java.nio.charset.StandardCharsets;
import java.util.UUID;

/**
 * Who an engine is: its bus and name, and the engine UUID derived from both. Because the UUID is
 * derived (not random), a GitOps re-creation of the same engine finds its own tables again.
 */
public record EngineIdentity(String bus, String engine) {

  public UUID uuid() {
    return UUID.nameUUIDFromBytes(("sibus/" + bus + "/" + engine).getBytes(StandardCharsets.UTF_8));
  }

  /** The advisory lock key that guards the engine's data store: the UUID's high 64 bits. */
  public long lockKey() {
    return uuid().getMostSignificantBits();
  }
}
