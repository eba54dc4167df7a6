package io.sibus.engine.store;

import io.sibus.engine.health.Faults;
import io.sibus.engine.health.LoopMonitor;
import io.sibus.engine.metrics.EngineMetrics;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Completes committed batches (their index updates and their callers' replies) on one thread, in
 * the order the writers hand them over, while the writer goes on to the next batch. The thread is
 * started when there is work and ends after a second without; it is never shut down, so a batch
 * committed while the writer stops is still completed.
 */
final class Completer {
  /** The commit time of operations whose commit the metrics counted already. */
  private static final long NOT_COUNTED = -1;

  private final LoopMonitor monitor;
  private final EngineMetrics metrics;
  private final StoreFailures failures;
  private final Faults faults;
  private final ThreadPoolExecutor thread = completerThread();
  private volatile LoopMonitor.Loop loop;

  Completer(LoopMonitor monitor, EngineMetrics metrics, StoreFailures failures, Faults faults) {
    this.monitor = monitor;
    this.metrics = metrics;
    this.failures = failures;
    this.faults = faults;
  }

  /** Watched by the liveness check while the writers run. */
  void watch() {
    loop = monitor.register("sibus-completer");
  }

  void unwatch() {
    LoopMonitor.Loop watched = loop;
    if (watched != null) {
      monitor.unregister(watched);
      loop = null;
    }
  }

  /**
   * Hands a committed batch over. If the thread cannot take it (no thread could be started: out of
   * memory), the batch is completed on the caller's thread, since its callers must hear that it
   * committed, and the failure is thrown on.
   */
  void complete(List<WriteOp<?>> batch, long commitNanos) {
    try {
      faults.maybeFail(Faults.Duty.COMPLETER_START);
      thread.execute(() -> completeCommitted(batch, commitNanos));
    } catch (RuntimeException | Error e) {
      // Each operation is told once: if the task was queued all the same, it finds them told.
      Error told = tellCommitted(batch, null);
      if (told != null) {
        e.addSuppressed(told);
      }
      throw e;
    }
  }

  /**
   * Tells operations whose transaction committed, after their writer ended: on the completer's
   * thread, after any batch handed over before (which may hold them: each is told once).
   */
  void tell(List<WriteOp<?>> committed) {
    complete(committed, NOT_COUNTED);
  }

  /**
   * Records the commit and tells its callers. The metrics are recorded here rather than by the
   * writer, which would otherwise spend that time (percentile histograms) between two commits; and
   * before the callers are told, so that a caller's reply comes after its commit is counted.
   */
  private void completeCommitted(List<WriteOp<?>> batch, long commitNanos) {
    LoopMonitor.Loop watched = loop;
    if (watched != null) {
      watched.busy(true);
    }
    Error error = null;
    try {
      if (commitNanos != NOT_COUNTED) {
        metrics.committed(batch.size(), commitNanos);
      }
    } catch (Error e) {
      error = e;
    } finally {
      error = tellCommitted(batch, error); // whatever the metrics did
      if (watched != null) {
        watched.busy(!thread.getQueue().isEmpty());
      }
    }
    if (error != null) {
      failures.dutyEnded("group commit's completer", error);
    }
  }

  /**
   * Tells every operation of the batch that it committed, even after an {@link Error} in one of
   * them (in what it does after its commit), which would leave the others' callers waiting; returns
   * the first Error met (or {@code first}).
   */
  private static Error tellCommitted(List<WriteOp<?>> batch, Error first) {
    for (WriteOp<?> op : batch) {
      try {
        op.committed();
      } catch (Error e) {
        first = first == null ? e : first;
      }
    }
    return first;
  }

  private static ThreadPoolExecutor completerThread() {
    ThreadPoolExecutor executor =
        new ThreadPoolExecutor(
            1,
            1,
            1,
            TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(),
            r -> {
              Thread t = new Thread(r, "sibus-completer");
              t.setDaemon(true);
              return t;
            });
    executor.allowCoreThreadTimeOut(true);
    return executor;
  }
}
