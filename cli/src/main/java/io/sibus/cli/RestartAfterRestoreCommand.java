package io.sibus.cli;

import io.sibus.cli.backup.KubernetesBus;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/**
 * {@code sibus restart-after-restore ENGINE}: after a person restored one engine's data store by
 * hand, the seeds' restart-after-restore start of that engine through the operator, and the wait
 * until its delivery streams are flushed (SIBUS0783I).
 */
@Command(
    name = "restart-after-restore",
    mixinStandardHelpOptions = true,
    description = {
      "Set a fresh sibus.io/restart-after-restore token on a MessagingEngine and wait until the"
          + " operator reports its restart after restore Completed (every delivery stream of the"
          + " engine flushed, SIBUS0783I)."
    })
final class RestartAfterRestoreCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", paramLabel = "ENGINE", description = "The MessagingEngine.")
  String engine;

  @Mixin KubernetesOptions kubernetes;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    long started = System.nanoTime();
    try (KubernetesBus bus = kubernetes.busOfEngine(engine)) {
      out.println("engine " + engine + ": restart after restore requested, waiting");
      String token = bus.restartAfterRestore(engine);
      out.printf(
          "engine %s: restart after restore Completed (token %s) in %.1f s: delivery streams"
              + " flushed (SIBUS0783I)%n",
          engine, token, (System.nanoTime() - started) / 1e9);
      return 0;
    } catch (IllegalStateException | IllegalArgumentException e) {
      throw new CommandFailure(e.getMessage());
    }
  }
}
