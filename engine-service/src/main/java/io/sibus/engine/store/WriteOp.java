package io.sibus.engine.store;

import io.sibus.datastore.StoreException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One piece of work for the group-commit writer. Operations of a batch share one transaction; the
 * result is published only after the commit, and {@code afterCommit} runs first (so that, for
 * instance, a sent message is in the delivery index before its sender hears it was accepted).
 */
public abstract sealed class WriteOp<T> permits InsertOp, LockOp, SeqOp, TxOp {
  private final CompletableFuture<T> future = new CompletableFuture<>();
  private volatile Runnable afterCommit;
  private Runnable whenDone = () -> {};
  private final AtomicBoolean done = new AtomicBoolean();
  private StoreException failedAfterCommit;
  private RuntimeException unreadAfterCommit;
  private boolean committedByWriter; // written and read by the writer thread only
  T result;

  /** The result computed in the transaction (valid in {@code afterCommit}). */
  public T result() {
    return result;
  }

  public CompletableFuture<T> future() {
    return future;
  }

  /** Runs on the completer thread after the commit and before the future completes. */
  public WriteOp<T> afterCommit(Runnable action) {
    this.afterCommit = action;
    return this;
  }

  /**
   * Runs once, when the writer is first done with the operation (its callers told), whatever the
   * outcome; even when a caller completed or cancelled the future first (a framework cancels it
   * when its HTTP client goes away). Set before the operation is queued, which publishes it to the
   * writer.
   */
  void whenDone(Runnable action) {
    this.whenDone = action;
  }

  /**
   * The commit will go through, but this operation failed in what it read back with it (a corrupted
   * row): its caller is told so after the commit, and the writer reports the failure.
   */
  void failAfterCommit(StoreException cause) {
    failedAfterCommit = cause;
  }

  StoreException failedAfterCommit() {
    return failedAfterCommit;
  }

  /** True for an operation whose result is what its statements return with the commit. */
  boolean readsWithCommit() {
    return false;
  }

  /**
   * The commit went through, but this operation's result was not read back with it: its caller is
   * told {@code answer} after the commit.
   */
  void unreadAfterCommit(RuntimeException answer) {
    unreadAfterCommit = answer;
  }

  /** The writer saw this operation's transaction commit; set before anything else may fail. */
  void commitSeen() {
    committedByWriter = true;
  }

  /**
   * Fails the operation, unless the writer saw its transaction commit: its callers are then told
   * what committed (by the completer), never that nothing was stored.
   */
  void failedUnlessCommitted(Throwable cause) {
    if (!committedByWriter) {
      failed(cause);
    }
  }

  void committed() {
    try {
      if (failedAfterCommit != null) {
        future.completeExceptionally(StoreErrors.of(failedAfterCommit));
      } else if (unreadAfterCommit != null) {
        future.completeExceptionally(unreadAfterCommit);
      } else {
        completeWithResult();
      }
    } finally {
      done(); // also after an Error in its after-commit work: a drain waits for every operation
    }
  }

  private void completeWithResult() {
    try {
      if (afterCommit != null) {
        afterCommit.run();
      }
      future.complete(result);
    } catch (RuntimeException e) {
      future.completeExceptionally(e);
    } catch (Error e) {
      future.completeExceptionally(e); // its caller is not left waiting
      throw e;
    }
  }

  void failed(Throwable cause) {
    future.completeExceptionally(cause);
    done();
  }

  private void done() {
    if (done.compareAndSet(false, true)) {
      whenDone.run();
    }
  }

  /** Clears what a rolled-back attempt computed, before the batch is tried again. */
  void reset() {
    result = null;
    committedByWriter = false;
    failedAfterCommit = null;
    unreadAfterCommit = null;
  }
}
