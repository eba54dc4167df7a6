package io.sibus.cli;

import picocli.CommandLine;

/**
 * Reports a command line that could not be understood in one line on stderr, pointing at the help
 * of the command concerned, and exits with {@link SibusCommand#USAGE}. picocli would print the
 * whole usage text, which buries the one thing that was wrong.
 */
final class OneLineUsageError implements CommandLine.IParameterExceptionHandler {
  @Override
  public int handleParseException(CommandLine.ParameterException e, String[] args) {
    CommandLine command = e.getCommandLine();
    String name = command.getCommandSpec().qualifiedName();
    command.getErr().println(name + ": " + e.getMessage() + " (see '" + name + " --help')");
    return SibusCommand.USAGE;
  }
}
