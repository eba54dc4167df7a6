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
  private Stage stage = Stage.APPLYING; // written and read by the writer thread only
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

  /** How far the writer got with this operation's transaction. */
  private enum Stage {
    APPLYING,
    COMMIT_SENT,
    COMMITTED
  }

  /** The round trip that carries the transaction's COMMIT is about to go. */
  void commitSent() {
    stage = Stage.COMMIT_SENT;
  }

  /** The writer saw this operation's transaction commit; set before anything else may fail. */
  void commitSeen() {
    stage = Stage.COMMITTED;
  }

  /**
   * The writer ended on an Error with this operation in hand. Unless it committed, its callers are
   * told that nothing was stored, or, if the Error came during the COMMIT's round trip, that it may
   * have been. Returns true if it committed: its callers must then be told so.
   */
  boolean endedWithWriter() {
    switch (stage) {
      case APPLYING -> failed(StoreErrors.unavailable());
      case COMMIT_SENT -> failed(StoreErrors.outcomeUnknown());
      case COMMITTED -> {
        return true;
      }
    }
    return false;
  }

  /**
   * Tells the callers that the operation committed. An operation ends once: whoever comes first
   * (the completer, or the writer's fallback) tells them, and a later call does nothing.
   */
  void committed() {
    if (!done.compareAndSet(false, true)) {
      return;
    }
    try {
      if (failedAfterCommit != null) {
        future.completeExceptionally(StoreErrors.of(failedAfterCommit));
      } else if (unreadAfterCommit != null) {
        future.completeExceptionally(unreadAfterCommit);
      } else {
        completeWithResult();
      }
    } finally {
      whenDone.run(); // also after an Error in its after-commit work: a drain waits for it
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

  /** Tells the callers that the operation failed, unless it ended already. */
  void failed(Throwable cause) {
    if (done.compareAndSet(false, true)) {
      future.completeExceptionally(cause);
      whenDone.run();
    }
  }

  /** Clears what a rolled-back attempt computed, before the batch is tried again. */
  void reset() {
    result = null;
    stage = Stage.APPLYING;
    failedAfterCommit = null;
    unreadAfterCommit = null;
  }
}
