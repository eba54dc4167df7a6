package io.sibus.engine.store;

import io.sibus.datastore.ErrorClass;
import io.sibus.datastore.Ownership;
import io.sibus.datastore.ReadAfterCommitException;
import io.sibus.datastore.SqlErrors;
import io.sibus.datastore.StoreException;
import io.sibus.engine.health.Faults;
import io.sibus.engine.health.LoopMonitor;
import io.sibus.engine.metrics.EngineMetrics;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.jboss.logging.Logger;

/**
 * Group commit: concurrent operations share one transaction. Each writer thread takes whatever is
 * queued (up to the batch limit), applies it and commits it once, at the epoch it holds; with
 * several threads, one batch fills while another waits for its commit to reach the disk. Every
 * transaction is fenced ({@link Ownership#fencedPipeline}): it commits only at the epoch this
 * member holds, so a member that lost the data store can never commit.
 *
 * <p>A committed batch is completed (its index updates and its callers' replies) on one completer
 * thread, in the order the writers hand batches over (commit order, with one writer at work), while
 * the writer goes on to the next batch: a writer is what every waiting operation waits for, so it
 * does nothing that can be done elsewhere. Writers after the first take work only under light load,
 * or while the first is slow on a batch ({@link HelperGate}).
 */
public final class GroupCommit {
  private static final Logger LOG = Logger.getLogger(GroupCommit.class);
  private static final int RECOVERABLE_ATTEMPTS = 5;

  /** How long a helper writer waits before it looks at the {@link HelperGate} again. */
  private static final long HELPER_PAUSE_MS = 5;

  private final FencedTransaction transaction;
  private final StoreFailures failures;
  private final LoopMonitor monitor;
  private final Faults faults;
  private final int threads;
  private final int maxBatch;
  private final LinkedBlockingQueue<WriteOp<?>> queue = new LinkedBlockingQueue<>();
  // Operations from their submission until their callers are told (committed or failed), which a
  // drain waits for: counted at submit, so that no moment exists, as a writer takes a batch, when
  // an operation is neither queued nor counted.
  private final AtomicInteger pending = new AtomicInteger();
  private final Runnable countedOut = pending::decrementAndGet; // one for all operations
  private final Completer completer;
  private final List<Thread> workers = new ArrayList<>();
  private volatile boolean accepting;
  private volatile boolean running;
  private volatile long epoch;
  private final HelperGate helperGate = new HelperGate();

  public GroupCommit(
      DataSource dataSource,
      Ownership ownership,
      io.sibus.datastore.MessageStore store,
      io.sibus.datastore.StreamStore streams,
      StoreFailures failures,
      LoopMonitor monitor,
      Faults faults,
      EngineMetrics metrics,
      int threads,
      int maxBatch) {
    this.transaction =
        new FencedTransaction(dataSource, ownership, new BatchApplier(store, streams, faults));
    this.failures = failures;
    this.monitor = monitor;
    this.faults = faults;
    this.threads = threads;
    this.maxBatch = maxBatch;
    this.completer = new Completer(monitor, metrics, failures, faults);
  }

  /** Starts the writer threads for the epoch this member now holds. */
  public synchronized void start(long heldEpoch) {
    this.epoch = heldEpoch;
    accepting = true;
    if (running) {
      return;
    }
    running = true;
    completer.watch();
    for (int i = 0; i < threads; i++) {
      boolean helper = i > 0;
      Thread worker = new Thread(() -> run(helper), "sibus-writer-" + i);
      worker.setDaemon(true);
      workers.add(worker);
      worker.start();
    }
  }

  /** Queues an operation; fails at once when the writer does not accept work. */
  public <T> CompletableFuture<T> submit(WriteOp<T> op) {
    // Counted before the check: a drain that stops accepting meanwhile either sees it counted and
    // waits for it, or stopped accepting before the check.
    pending.incrementAndGet();
    if (!accepting) {
      pending.decrementAndGet();
      op.failed(StoreErrors.unavailable());
    } else {
      op.whenDone(countedOut);
      queue.add(op);
      if (!accepting && queue.remove(op)) { // rejected meanwhile: the queue was emptied before
        op.failed(StoreErrors.unavailable());
      }
    }
    return op.future();
  }

  public boolean accepting() {
    return accepting;
  }

  /**
   * Stops accepting and waits until queued and in-flight work is committed and its callers told (or
   * the timeout).
   */
  public boolean drain(Duration timeout) {
    accepting = false;
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (pending.get() == 0) {
        return true;
      }
      sleep(10);
    }
    return false;
  }

  /** Stops accepting and fails everything still queued with {@code reason}. */
  public void reject(RuntimeException reason) {
    accepting = false;
    List<WriteOp<?>> pending = new ArrayList<>();
    queue.drainTo(pending);
    pending.forEach(op -> op.failed(reason));
  }

  /** Stops the writer threads (after {@link #drain} or {@link #reject}). */
  public synchronized void shutdown() {
    accepting = false;
    running = false;
    workers.forEach(Thread::interrupt);
    workers.clear();
    reject(StoreErrors.unavailable());
    completer.unwatch();
  }

  private void run(boolean helper) {
    LoopMonitor.Loop loop = monitor.register(Thread.currentThread().getName());
    try {
      while (running) {
        if (helper && !helperGate.helpersWanted(System.nanoTime())) {
          loop.busy(false);
          try {
            Thread.sleep(HELPER_PAUSE_MS);
          } catch (InterruptedException e) {
            break;
          }
          continue;
        }
        WriteOp<?> first;
        try {
          // A helper waits briefly, so that it is not still waiting for work once the gate shuts.
          first = queue.poll(helper ? HELPER_PAUSE_MS : 200, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
          break;
        }
        if (first == null) {
          loop.busy(false);
          continue;
        }
        List<WriteOp<?>> batch = new ArrayList<>();
        batch.add(first);
        queue.drainTo(batch, maxBatch - 1);
        if (!helper) {
          helperGate.firstWriterTook(batch.size(), System.nanoTime());
        }
        loop.busy(true);
        try {
          faults.maybeSpin();
          faults.maybeFail(Faults.Duty.WRITER);
          execute(batch);
        } catch (Error e) {
          writerFailed(batch, e);
          return;
        } finally {
          if (!helper) {
            helperGate.firstWriterDone();
          }
          loop.busy(!queue.isEmpty());
        }
      }
    } finally {
      monitor.unregister(loop);
    }
  }

  /**
   * An {@link Error} (out of memory, say) ended this writer: the member cannot go on as though it
   * had not happened, and a writer that ended without a word would leave every later send waiting.
   * The batch's callers hear that nothing was stored if its COMMIT was not sent, that it may have
   * been if the Error came during the COMMIT's round trip, and that it was if it committed (through
   * the completer, once, whether or not the batch reached it). The member then stops with a local
   * error so that a standby takes over or the member restarts.
   */
  private void writerFailed(List<WriteOp<?>> batch, Error e) {
    try {
      List<WriteOp<?>> committed = batch.stream().filter(WriteOp::endedWithWriter).toList();
      if (!committed.isEmpty()) {
        completer.tell(committed);
      }
    } catch (Error handOverFailed) {
      // The completer told them on this thread before it threw (no thread could take them): what
      // is reported is the Error that ended the writer, with this one beside it.
      if (handOverFailed != e) { // a JVM may throw the same OutOfMemoryError twice
        e.addSuppressed(handOverFailed);
      }
    } finally {
      failures.dutyEnded("group-commit writer", e);
    }
  }

  /** Commits {@code batch} and hands it to the completer, or fails its operations. */
  private void execute(List<WriteOp<?>> batch) {
    for (int attempt = 1; ; attempt++) {
      FencedTransaction.Committed committed;
      try {
        committed = transaction.commit(batch, epoch);
      } catch (StoreException e) {
        failAll(batch, StoreErrors.of(e));
        failures.storeFailed(e);
        return;
      } catch (SQLException e) {
        if (SqlErrors.isConnectionLoss(e)) {
          failAll(
              batch,
              e instanceof FencedTransaction.OutcomeUnknown
                  ? StoreErrors.outcomeUnknown()
                  : StoreErrors.unavailable());
          failures.connectionLost(e);
          return;
        }
        ErrorClass errorClass = SqlErrors.classify(e);
        if (errorClass == ErrorClass.RECOVERABLE && attempt < RECOVERABLE_ATTEMPTS) {
          failures.recovered(
              "transaction retried after " + e.getMessage() + " (attempt " + attempt + ")");
          continue;
        }
        if (errorClass == ErrorClass.GLOBAL) {
          StoreException altered = SqlErrors.altered(e);
          failAll(batch, StoreErrors.of(altered));
          failures.storeFailed(altered);
          return;
        }
        isolate(batch, e);
        return;
      } catch (RuntimeException e) {
        // An operation's own work failed (a defect): run each alone, so that one cannot sink all
        // and the writer thread lives on.
        isolate(batch, e);
        return;
      }
      afterCommit(batch, committed);
      return;
    }
  }

  /**
   * A committed batch: nothing from here on may fail it or run it again (a send stored twice). A
   * defect here is logged; the batch is handed to the completer all the same, and the writer goes
   * on.
   */
  private void afterCommit(List<WriteOp<?>> batch, FencedTransaction.Committed committed) {
    try {
      try {
        if (committed.unread() != null) {
          unreadAfterCommit(batch, committed.unread());
        }
      } finally {
        completer.complete(batch, committed.commitNanos());
      }
      reportAfterCommit(batch, committed);
    } catch (RuntimeException e) {
      LOG.errorf(
          e,
          "SIBUS0216E Work after a committed transaction failed; the transaction stands: %s",
          e.getMessage());
    }
    if (committed.error() != null) {
      // Its callers are told what committed; the writer ends (writerFailed).
      throw committed.error();
    }
  }

  /**
   * The batch committed, but what its statements returned could not all be read: it is committed
   * all the same (run again, its work would be done twice: a send stored twice), and its callers
   * are told so, except those whose result went unread: those hear that it could not be read.
   */
  private static void unreadAfterCommit(List<WriteOp<?>> batch, ReadAfterCommitException e) {
    LOG.errorf(e, "%s %s", StoreErrors.UNREAD_AFTER_COMMIT, e.getMessage());
    for (WriteOp<?> op : batch) {
      if (op.readsWithCommit() && op.result == null) {
        op.unreadAfterCommit(StoreErrors.unreadAfterCommit(e.getCause()));
      }
    }
  }

  /** A batch failed for a reason of its own: run each operation alone so one cannot sink all. */
  private void isolate(List<WriteOp<?>> batch, Exception e) {
    if (batch.size() > 1) {
      for (WriteOp<?> op : batch) {
        execute(List.of(op));
      }
      return;
    }
    LOG.errorf(e, "SIBUS0210E A data store operation failed: %s", e.getMessage());
    batch.get(0).failed(StoreErrors.refused(e));
  }

  /**
   * A corrupted row read back with the commit is a failure of the store (a global error). A
   * connection that failed to close after the commit is reported as corrected: the commit stands,
   * and if the connection was lost, the next transaction (and the lease) finds out and fails over.
   */
  private void reportAfterCommit(List<WriteOp<?>> batch, FencedTransaction.Committed committed) {
    for (WriteOp<?> op : batch) {
      if (op.failedAfterCommit() != null) {
        failures.storeFailed(op.failedAfterCommit());
        break;
      }
    }
    if (committed.closeFailure() != null) {
      failures.recovered(
          "a data store connection failed to close after its transaction committed ("
              + committed.closeFailure()
              + "); the transaction stands");
    }
  }

  private static void failAll(List<WriteOp<?>> batch, RuntimeException error) {
    batch.forEach(op -> op.failed(error));
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
