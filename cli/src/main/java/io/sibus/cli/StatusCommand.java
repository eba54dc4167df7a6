package io.sibus.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.sibus.local.EngineClient;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code sibus status}: the state of each member of an engine, asked of every member directly (not
 * through the active one), so that a standby or a member in error shows up as what it is.
 */
@Command(
    name = "status",
    mixinStandardHelpOptions = true,
    description = {
      "Without --url: the buses of the cluster (--kubeconfig, KUBECONFIG, or ./sibus up's), each"
          + " engine's phase, active member, members ready and conditions, and each member.",
      "With --url: prints one line per member URL: bus, engine, member, state, epoch, active member and the"
          + " code of the last error, as the member itself reports them.",
      "Fails (exit code 1) only when no member answered."
    })
final class StatusCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Mixin EngineOptions engine;

  @Option(
      names = "--bus",
      paramLabel = "B",
      description = "The bus to show (on Kubernetes; every bus when not given).")
  String bus;

  @Option(
      names = "--kubeconfig",
      paramLabel = "K",
      description =
          "The kubeconfig of the cluster (default: KUBECONFIG, else the one ./sibus up wrote).")
  String kubeconfig;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    if (!engine.urlsGiven()) {
      BusStatusLines.lines(BusStatusLines.kubeconfig(kubeconfig), bus).forEach(out::println);
      out.flush();
      return 0;
    }
    int answered = 0;
    for (String url : engine.memberUrls()) {
      MemberLine line = describe(url);
      answered += line.answered() ? 1 : 0;
      out.println(line.text());
    }
    out.flush();
    if (answered == 0) {
      throw new CommandFailure("no member of the engine answered");
    }
    return 0;
  }

  /** One member's line, and whether the member answered with its state. */
  private record MemberLine(String text, boolean answered) {}

  private MemberLine describe(String url) {
    try {
      EngineClient.Reply reply = engine.member(url).engine();
      if (!reply.ok()) {
        return new MemberLine(url + " error " + EngineReplies.errorLine(reply), false);
      }
      JsonNode json = reply.json();
      String text =
          url
              + " bus="
              + field(json, "bus")
              + " engine="
              + field(json, "engine")
              + " member="
              + field(json, "member")
              + " state="
              + field(json, "state")
              + " epoch="
              + field(json, "epoch")
              + " activeMember="
              + field(json, "activeMember")
              + " lastError="
              + field(json.path("lastError"), "code");
      return new MemberLine(text, true);
    } catch (IOException e) {
      return new MemberLine(url + " unreachable: " + EngineOptions.describe(e), false);
    }
  }

  /** The field as text, or "-" when absent or null (a line keeps its shape for scripts). */
  private static String field(JsonNode json, String name) {
    JsonNode value = json == null ? null : json.get(name);
    return value == null || value.isNull() ? "-" : value.asText();
  }
}
