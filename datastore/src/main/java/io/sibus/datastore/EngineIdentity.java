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

  /**
   * The transaction-level advisory lock of the epoch fence, as two 32-bit keys (PostgreSQL keeps
   * that key space apart from the single 64-bit one of {@link #lockKey()}).
   */
  public int[] fenceKey() {
    long bits = uuid().getLeastSignificantBits();
    return new int[] {(int) (bits >>> 32), (int) bits};
  }
}
