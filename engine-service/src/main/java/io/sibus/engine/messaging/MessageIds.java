package io.sibus.engine.messaging;

import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Message ids that are never reused: the engine, the incarnation (new at every activation, so a
 * store restored from a backup cannot bring old ids back) and a counter within the incarnation.
 */
final class MessageIds {
  private final String prefix;
  private final AtomicLong counter = new AtomicLong();

  MessageIds(String engine, UUID incarnation) {
    this.prefix = engine + ":" + incarnation.toString().replace("-", "") + ":";
  }

  String next() {
    return prefix + Long.toString(counter.incrementAndGet(), 36);
  }
}
