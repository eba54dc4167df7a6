package io.sibus.datastore;

/**
 * A transaction committed, but reading what its statements returned failed afterwards (a defect,
 * the driver, or an {@link Error} such as running out of memory). Not a failure of the transaction:
 * its work is done and must not be run again, and nothing of it can be rolled back. The results
 * read before the failure are as read; the steps after it read nothing. An {@code Error} is its
 * cause, for the caller to act on once it has told what committed.
 */
public final class ReadAfterCommitException extends RuntimeException {
  public ReadAfterCommitException(Throwable cause) {
    super(
        "The transaction committed, but reading its results failed: " + cause.getMessage(), cause);
  }
}
