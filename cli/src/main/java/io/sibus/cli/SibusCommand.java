package io.sibus.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code sibus} command: the top of the command tree. It does nothing itself; each subcommand
 * is a class of its own. Exit codes follow CONTRACT.md: 0 success, 1 failure (one line on stderr),
 * 2 bad usage.
 */
@Command(
    name = "sibus",
    mixinStandardHelpOptions = true,
    versionProvider = SibusCommand.Version.class,
    description = "The service integration bus command line.",
    subcommands = {
      CommandLine.HelpCommand.class,
      UpCommand.class,
      SendCommand.class,
      ReceiveCommand.class,
      StatusCommand.class,
      DdlCommand.class,
      BackupCommand.class,
      RestoreCommand.class,
      RestartAfterRestoreCommand.class
    })
public final class SibusCommand implements Runnable {
  /** Exit code of a command that ran but failed. */
  public static final int FAILURE = 1;

  /** Exit code of a command line that could not be understood. */
  public static final int USAGE = 2;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  /** The configured command line, writing to the process's standard output and error. */
  public static CommandLine commandLine() {
    return commandLine(new PrintWriter(System.out, true), new PrintWriter(System.err, true));
  }

  /** The configured command line writing to {@code out} and {@code err} (tests capture them). */
  public static CommandLine commandLine(PrintWriter out, PrintWriter err) {
    CommandLine commandLine = new CommandLine(new SibusCommand());
    commandLine.setOut(out);
    commandLine.setErr(err);
    commandLine.setCaseInsensitiveEnumValuesAllowed(true);
    commandLine.setParameterExceptionHandler(new OneLineUsageError());
    commandLine.setExecutionExceptionHandler(new OneLineFailure());
    return commandLine;
  }

  /** {@code sibus} alone is bad usage: a subcommand is needed. */
  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "a command is required");
  }

  /** The version from the jar's manifest (unknown when run from classes). */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String version = SibusCommand.class.getPackage().getImplementationVersion();
      return new String[] {"sibus " + (version == null ? "(development build)" : version)};
    }
  }
}
