package io.sibus.engine.messaging;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Idempotency keys of nonpersistent sends, kept in memory (like the messages themselves) for the
 * deduplication window, and bounded so that a flood of keys cannot exhaust memory.
 */
final class NonpersistentKeys {
  private static final int MAX_KEYS = 100_000;
  private final LinkedHashMap<String, Claim> keys = new LinkedHashMap<>();

  private record Claim(String messageId, long atMillis) {}

  /** The id that already holds the key, or null after claiming it for {@code messageId}. */
  synchronized String claim(String destination, String key, String messageId, long now) {
    String k = destination + '\u0000' + key;
    Claim existing = keys.get(k);
    if (existing != null) {
      return existing.messageId;
    }
    keys.put(k, new Claim(messageId, now));
    if (keys.size() > MAX_KEYS) {
      Iterator<Map.Entry<String, Claim>> it = keys.entrySet().iterator();
      it.next();
      it.remove();
    }
    return null;
  }

  synchronized void purge(long olderThanMillis) {
    keys.values().removeIf(c -> c.atMillis < olderThanMillis);
  }
}
