package io.sibus.engine.store;

/**
 * Whether the group commit's writers after the first should take work: while the first one's
 * batches are small, or while it has been on one batch for long. Under light load, a second writer
 * lets an operation commit beside a batch in flight rather than after it (1 producer: 1,254 against
 * 1,020 sends/s). Under heavy load, one writer's batches are large enough to keep up, and a second
 * one only splits them into more commits, each a flush of the database's log (16 producers: 8.4
 * operations per commit with one writer, 4.8 with two, which took a quarter more CPU per message
 * and sent 7% fewer). A batch that keeps the first writer for long (a flush stalled behind a
 * checkpoint, a long piece of work) does not hold everyone else up.
 */
final class HelperGate {
  /** Helpers stay out while the first writer's batches average this many operations or more. */
  private static final double LARGE_BATCH = 4;

  /** ... unless the first writer has been on one batch this long: 10 times a usual commit. */
  static final long SLOW_BATCH_NANOS = 10_000_000;

  // A moving average (over about ten batches), so that one burst does not shut the helpers out.
  private static final double WEIGHT = 0.1;

  private volatile double averageBatch;
  private volatile long firstWriterBusySince; // 0 while it waits for work

  /** The first writer took a batch of {@code size} operations at {@code nanos} (only it calls). */
  void firstWriterTook(int size, long nanos) {
    averageBatch = averageBatch * (1 - WEIGHT) + size * WEIGHT;
    firstWriterBusySince = nanos == 0 ? 1 : nanos;
  }

  /** The first writer is done with its batch. */
  void firstWriterDone() {
    firstWriterBusySince = 0;
  }

  boolean helpersWanted(long nowNanos) {
    long since = firstWriterBusySince;
    return averageBatch < LARGE_BATCH || (since != 0 && nowNanos - since > SLOW_BATCH_NANOS);
  }
}
