package io.sibus.engine.config;

/** How an engine starts (the WebSphere start modes; FLUSH is restart after restore). */
public enum StartMode {
  /** An ordinary start. */
  NORMAL,
  /**
   * The first start after the data store was restored from a backup: every delivery stream is
   * flushed so that receivers do not discard new messages. Use it once, then start normally.
   */
  RESTART_AFTER_RESTORE,
  /**
   * Resolve in-doubt work (expired receipt locks, messages past their time to live or their
   * redelivery limit), verify every stored message, then stop. Restart after restore is ignored for
   * a recovery start.
   */
  RECOVERY
}
