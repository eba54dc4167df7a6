package io.sibus.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.sibus.local.EngineClient;
import io.sibus.local.MemberSetClient;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code sibus receive}: takes messages off a destination and prints their bodies. */
@Command(
    name = "receive",
    mixinStandardHelpOptions = true,
    description = {
      "Receives up to N messages from a destination, acknowledges each and prints its body as"
          + " text (UTF-8), one message per line, in the order received.",
      "A body is printed only once its acknowledgement succeeded. Prints nothing when no message"
          + " arrived within the wait."
    })
final class ReceiveCommand implements Callable<Integer> {
  static final int MAX_MESSAGES = 1000;
  static final long MAX_WAIT_MS = 60_000;

  /** Long enough to acknowledge; a message of a command that died comes back after it. */
  private static final long LOCK_MS = 30_000;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Mixin EngineOptions engine;

  @Option(
      names = "--destination",
      required = true,
      paramLabel = "D",
      description = "The destination.")
  String destination;

  @Option(
      names = "--max",
      paramLabel = "N",
      defaultValue = "1",
      description = "At most this many messages, 1 to 1000 (default ${DEFAULT-VALUE}).")
  int max;

  @Option(
      names = "--wait-ms",
      paramLabel = "W",
      defaultValue = "1000",
      description =
          "How long to wait in all for messages to arrive, 0 to 60000 ms (default"
              + " ${DEFAULT-VALUE}).")
  long waitMs;

  @Override
  public Integer call() {
    if (max < 1 || max > MAX_MESSAGES) {
      throw engine.usage("--max must be between 1 and " + MAX_MESSAGES);
    }
    if (waitMs < 0 || waitMs > MAX_WAIT_MS) {
      throw engine.usage("--wait-ms must be between 0 and " + MAX_WAIT_MS);
    }
    MemberSetClient members = engine.members();
    PrintWriter out = spec.commandLine().getOut();
    long deadline = System.nanoTime() + waitMs * 1_000_000;
    int received = 0;
    while (received < max) {
      long waitLeft = Math.max(0, (deadline - System.nanoTime()) / 1_000_000);
      int wanted = max - received;
      JsonNode messages =
          EngineReplies.requireOk(
                  engine.callActive(
                      members, member -> member.receive(destination, wanted, waitLeft, LOCK_MS)))
              .json()
              .path("messages");
      if (messages.isEmpty()) {
        break;
      }
      for (JsonNode message : messages) {
        acknowledge(members, message);
        out.println(EngineClient.bodyText(message));
        out.flush();
        received++;
      }
    }
    return 0;
  }

  private void acknowledge(MemberSetClient members, JsonNode message) {
    String receipt = message.path("receipt").asText();
    EngineReplies.requireOk(
        engine.callActive(members, member -> member.acknowledge(destination, receipt)));
  }
}
