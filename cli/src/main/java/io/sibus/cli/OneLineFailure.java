package io.sibus.cli;

import picocli.CommandLine;

/**
 * Reports a command that failed while running in one line on stderr and exits with {@link
 * SibusCommand#FAILURE}. A {@link CommandFailure} carries a line meant for the user (for an engine
 * error exactly {@code code: message}, which scripts match); anything else is unexpected, so the
 * command and the exception's type are named too.
 */
final class OneLineFailure implements CommandLine.IExecutionExceptionHandler {
  @Override
  public int handleExecutionException(
      Exception e, CommandLine command, CommandLine.ParseResult parseResult) {
    String line =
        e instanceof CommandFailure
            ? e.getMessage()
            : command.getCommandSpec().qualifiedName()
                + ": "
                + e.getClass().getSimpleName()
                + (e.getMessage() == null ? "" : ": " + e.getMessage());
    command.getErr().println(line);
    return SibusCommand.FAILURE;
  }
}
