package io.sibus.engine.store;

/**
 * Whether the group commit's writers after the first should take work: only while the first one's
 * batches are small. Under light load, a second writer lets an operation commit beside a batch in
 * flight rather than after it (1 producer: 1,254 against 1,020 sends/s). Under heavy load, one
 * writer's batches are large enough to keep up, and a second one only splits them into more
 * commits, each a flush of the database's log (16 producers: 8.4 operations per commit with one
 * writer, 4.8 with two, which took a quarter more CPU per message and sent 7% fewer).
 */
final class HelperGate {
  /** Helpers stay out while the first writer's batches average this many operations or more. */
  static final double LARGE_BATCH = 4;

  // A moving average (over about ten batches), so that one burst does not shut the helpers out.
  private static final double WEIGHT = 0.1;

  private volatile double averageBatch;

  /** The first writer took a batch of {@code size} operations (only it calls this). */
  void firstWriterTook(int size) {
    averageBatch = averageBatch * (1 - WEIGHT) + size * WEIGHT;
  }

  boolean helpersWanted() {
    return averageBatch < LARGE_BATCH;
  }
}
