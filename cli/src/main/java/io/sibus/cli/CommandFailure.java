package io.sibus.cli;

/**
 * A command ran but could not do its job, for a reason the user can act on; its message is the one
 * line printed on stderr.
 */
final class CommandFailure extends RuntimeException {
  private static final long serialVersionUID = 1L;

  CommandFailure(String message) {
    super(message);
  }

  CommandFailure(String message, Throwable cause) {
    super(message, cause);
  }
}
