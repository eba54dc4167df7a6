package io.sibus.cli;

import io.sibus.cli.backup.Archive;
import io.sibus.cli.backup.Backup;
import io.sibus.cli.backup.BusSite;
import io.sibus.cli.backup.Manifest;
import io.sibus.cli.backup.Progress;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code sibus backup}: configuration and every data store of a bus, taken at the same moment. */
@Command(
    name = "backup",
    mixinStandardHelpOptions = true,
    description = {
      "Back up a bus: its configuration and every engine's data store, taken at the same moment",
      "(sends are paused bus-wide for the snapshot unless --online). Or list backups (--list).",
      "A bus on Kubernetes (--kubeconfig, else KUBECONFIG, else ./sibus up's cluster): its Bus,"
          + " MessagingEngine and Destination resources and every engine's store. A standalone"
          + " bus: --config and --jdbc-url."
    })
final class BackupCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--bus", paramLabel = "B", description = "The bus to back up.")
  String bus;

  @Option(
      names = "--to",
      paramLabel = "DIR",
      description = "Where the backup (a directory) is written.")
  Path to;

  @Option(names = "--list", paramLabel = "DIR", description = "List the backups in DIR instead.")
  Path list;

  @Option(
      names = "--online",
      description = "Do not pause sends: each store is consistent in itself, the bus is not.")
  boolean online;

  @Mixin StandaloneOptions standalone;

  @Mixin KubernetesOptions kubernetes;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    if (list != null) {
      return list(out);
    }
    if (bus == null || to == null) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "--bus and --to are required (or --list DIR)");
    }
    Progress progress = new Progress(out, Backup.steps());
    try {
      BusSite site =
          standalone.given() ? standalone.bus() : kubernetes.bus(bus, standalone.token());
      try {
        Archive archive = new Backup(site, progress).run(bus, to, online, Version.current());
        out.println("backup: " + archive.directory());
        return 0;
      } finally {
        if (site instanceof AutoCloseable closeable) {
          closeable.close();
        }
      }
    } catch (CommandLine.ParameterException | CommandFailure e) {
      throw e;
    } catch (Exception e) {
      throw new CommandFailure(
          progress.failure(e.getMessage(), "sibus backup --bus " + bus + " --to " + to + " ..."),
          e);
    }
  }

  private int list(PrintWriter out) throws Exception {
    List<Archive> archives = Archive.list(list, bus);
    if (archives.isEmpty()) {
      out.println("no backups in " + list);
      return 0;
    }
    for (Archive archive : archives) {
      try {
        Manifest m = archive.manifest();
        out.printf(
            "%s  bus=%s  taken=%s  mode=%s  engines=%d  messages=%d%n",
            archive.directory().getFileName(),
            m.bus,
            m.takenAt,
            m.mode,
            m.engines.size(),
            m.totalMessages());
      } catch (Exception e) {
        out.printf("%s  (unreadable: %s)%n", archive.directory().getFileName(), e.getMessage());
      }
    }
    return 0;
  }

  /** The version of this sibus, recorded in backups. */
  static final class Version {
    static String current() {
      String version = SibusCommand.class.getPackage().getImplementationVersion();
      return version == null ? "development" : version;
    }
  }
}
