package io.sibus.engine.store;

import io.sibus.datastore.ErrorClass;
import io.sibus.datastore.StoreException;
import io.sibus.engine.error.ApiException;
import java.util.concurrent.CompletionException;

/** How store conditions are answered to a client whose request they stopped. */
public final class StoreErrors {
  static final String UNREAD_AFTER_COMMIT = "SIBUS0211E";

  private StoreErrors() {}

  /** The data store cannot be reached (or this member may not write to it now). */
  public static ApiException unavailable() {
    return new ApiException(
            503,
            "SIBUS0207E",
            "The data store is not available to this member; nothing was stored.",
            "Send the request again (with the same Idempotency-Key, a retry is never"
                + " duplicated).")
        .retryAfter(1);
  }

  /**
   * The connection was lost during the round trip that carried the operation's COMMIT: the data
   * store may have committed it before the connection went.
   */
  public static ApiException outcomeUnknown() {
    return new ApiException(
            503,
            "SIBUS0207E",
            "The data store connection was lost while the operation was being committed; it may"
                + " have been stored.",
            "Send the request again. A send retried with the same Idempotency-Key is never stored"
                + " twice; without one, a retried send may store a second copy.")
        .retryAfter(1);
  }

  /** The member stopped being the active member while the request was in progress. */
  public static ApiException notActive() {
    return new ApiException(
            503,
            "SIBUS0205E",
            "This member is no longer the active member of the engine.",
            "Send the request again: it will reach the active member.")
        .retryAfter(1);
  }

  /** An operation that the data store refused for a reason of its own (run alone, it failed). */
  public static ApiException refused(Exception e) {
    return new ApiException(
        500,
        "SIBUS0210E",
        "The data store refused the operation: " + e.getMessage(),
        "Retry; if it fails again, report it with the member's log.");
  }

  /**
   * The data store committed the operation, but what it returned could not be read (a defect): a
   * receive's messages go back to the queue.
   */
  public static ApiException unreadAfterCommit(Throwable cause) {
    return new ApiException(
        500,
        UNREAD_AFTER_COMMIT,
        "The data store committed the operation, but the engine could not read back its result ("
            + cause
            + ").",
        "Retry: the messages that were being delivered are delivered again. If it fails again,"
            + " report it with the member's log.");
  }

  /**
   * Whether {@code failure} (as a caller's future reports it, wrapped or not) is the answer of an
   * operation whose transaction committed but whose result could not be read ({@link
   * #unreadAfterCommit}).
   */
  public static boolean isUnreadAfterCommit(Throwable failure) {
    Throwable answer =
        failure instanceof CompletionException wrapped ? wrapped.getCause() : failure;
    return answer instanceof ApiException api && UNREAD_AFTER_COMMIT.equals(api.code());
  }

  /**
   * Whether {@code failure} (wrapped or not) is {@link #notActive}'s answer: this member stopped
   * being the active one, and what failed is the next active member's to do.
   */
  public static boolean isNotActive(Throwable failure) {
    Throwable answer =
        failure instanceof CompletionException wrapped ? wrapped.getCause() : failure;
    return answer instanceof ApiException api && "SIBUS0205E".equals(api.code());
  }

  /** The answer for a classified store failure. */
  public static ApiException of(StoreException e) {
    if (e.errorClass() == ErrorClass.GLOBAL) {
      return new ApiException(
              503,
              "SIBUS0050E",
              "The engine stopped processing after a global error: " + e.getMessage(),
              e.userAction())
          .retryAfter(5);
    }
    return notActive();
  }
}
