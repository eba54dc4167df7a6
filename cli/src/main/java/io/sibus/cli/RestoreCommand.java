package io.sibus.cli;

import io.sibus.cli.backup.Archive;
import io.sibus.cli.backup.BusSite;
import io.sibus.cli.backup.Progress;
import io.sibus.cli.backup.Restore;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code sibus restore}: the seeds' restore runbook in one command. */
@Command(
    name = "restore",
    mixinStandardHelpOptions = true,
    description = {
      "Restore a bus from a backup: verify the archive, stop every engine, restore each data",
      "store and the configuration taken with it, then start every engine in restart-after-restore",
      "mode and wait until its delivery streams are flushed. Safe to run again after a failure.",
      "On Kubernetes the engines are stopped and started through the operator (initialState and"
          + " the sibus.io/restart-after-restore token) and the resources of the backup are"
          + " re-applied; standalone (--config, --jdbc-url) the members are called directly."
    })
final class RestoreCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--bus", required = true, paramLabel = "B", description = "The bus to restore.")
  String bus;

  @Option(
      names = "--from",
      required = true,
      paramLabel = "DIR",
      description = "A backup, or a directory of backups (the newest of the bus is used).")
  Path from;

  @Option(names = "--dry-run", description = "Say what would change; change nothing.")
  boolean dryRun;

  @Option(
      names = "--recovery",
      description = "Run a recovery start before the restart-after-restore start.")
  boolean recovery;

  @Mixin StandaloneOptions standalone;

  @Mixin KubernetesOptions kubernetes;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    List<Archive> archives = Archive.list(from, bus);
    if (archives.isEmpty()) {
      throw new CommandFailure("no backup of bus " + bus + " in " + from);
    }
    Archive archive = archives.get(archives.size() - 1);
    Progress progress = new Progress(out, Restore.steps());
    try {
      BusSite site =
          standalone.given() ? standalone.bus() : kubernetes.bus(bus, standalone.token());
      try {
        new Restore(site, progress).run(archive, bus, recovery, dryRun);
      } finally {
        if (site instanceof AutoCloseable closeable) {
          closeable.close();
        }
      }
      out.println(
          dryRun
              ? "dry run: nothing was changed"
              : "restored bus " + bus + " from " + archive.directory());
      return 0;
    } catch (CommandLine.ParameterException | CommandFailure e) {
      throw e;
    } catch (Exception e) {
      String rerun =
          "sibus restore --bus "
              + bus
              + " --from "
              + archive.directory()
              + (recovery ? " --recovery" : "")
              + " ...";
      throw new CommandFailure(progress.failure(e.getMessage(), rerun), e);
    }
  }
}
