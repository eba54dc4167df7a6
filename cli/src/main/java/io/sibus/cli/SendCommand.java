package io.sibus.cli;

import io.sibus.datastore.Reliability;
import io.sibus.local.EngineClient;
import io.sibus.local.MemberSetClient;
import java.io.PrintWriter;
import java.util.UUID;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code sibus send}: sends text messages to a destination and prints their ids. */
@Command(
    name = "send",
    mixinStandardHelpOptions = true,
    description = {
      "Sends messages to a destination and prints each message id on a line of its own.",
      "With --count N greater than 1 the bodies are numbered: TEXT #1, TEXT #2, ... TEXT #N.",
      "An error of the engine is printed as 'code: message' on stderr (exit code 1); messages"
          + " sent before it are printed."
    })
final class SendCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Mixin EngineOptions engine;

  @Option(
      names = "--destination",
      required = true,
      paramLabel = "D",
      description = "The destination.")
  String destination;

  @Option(
      names = "--reliability",
      paramLabel = "R",
      description =
          "The reliability: ${COMPLETION-CANDIDATES} (default: the destination's default).")
  Reliability reliability;

  @Option(
      names = "--count",
      paramLabel = "N",
      defaultValue = "1",
      description = "How many messages to send (default ${DEFAULT-VALUE}).")
  int count;

  @Option(
      names = "--body",
      paramLabel = "TEXT",
      defaultValue = "hello",
      description = "The message body, sent as text/plain (default '${DEFAULT-VALUE}').")
  String body;

  @Override
  public Integer call() {
    if (count < 1) {
      throw engine.usage("--count must be at least 1");
    }
    MemberSetClient members = engine.members();
    PrintWriter out = spec.commandLine().getOut();
    for (int i = 1; i <= count; i++) {
      // The key makes a retry after a lost answer (or a failover) a duplicate the engine
      // recognises, rather than a second message.
      EngineClient.Outgoing message =
          new EngineClient.Outgoing(bodyOf(i)).idempotencyKey(UUID.randomUUID().toString());
      if (reliability != null) {
        message.reliability(reliability.name());
      }
      EngineClient.Reply reply =
          EngineReplies.requireOk(
              engine.callActive(members, member -> member.send(destination, message)));
      out.println(reply.text("messageId"));
      out.flush();
    }
    return 0;
  }

  private String bodyOf(int number) {
    return count == 1 ? body : body + " #" + number;
  }
}
