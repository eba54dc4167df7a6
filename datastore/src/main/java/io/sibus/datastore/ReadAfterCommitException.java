package io.sibus.datastore;

/**
 * A transaction committed, but reading what its statements returned failed afterwards (a defect, or
 * the driver). Not a failure of the transaction: its work is done and must not be run again, and
 * nothing of it can be rolled back. The results read before the failure are as read; the steps
 * after it read nothing.
 */
public final class ReadAfterCommitException extends RuntimeException {
  public ReadAfterCommitException(Exception cause) {
    super(
        "The transaction committed, but reading its results failed: " + cause.getMessage(), cause);
  }
}
