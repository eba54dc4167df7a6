package io.sibus.perf;

import io.sibus.local.EngineClient;
import io.sibus.local.MemberSetClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code sibus perf}: measures send and receive rates and latencies of an engine, per reliability
 * level and number of producers. Without {@code --url} it starts its own engine on an embedded
 * PostgreSQL on this machine.
 */
@Command(
    name = "perf",
    mixinStandardHelpOptions = true,
    description = "Load generator and report: messages/s, send and end-to-end latency.")
public final class PerfCommand implements Callable<Integer> {
  @Option(names = "--url", split = ",", description = "Member URLs of the engine to measure.")
  List<String> urls = new ArrayList<>();

  @Option(names = "--destination", defaultValue = "perf")
  String destination;

  @Option(
      names = "--reliability",
      split = ",",
      defaultValue = "ASSURED_PERSISTENT",
      description = "Levels to measure, comma-separated.")
  List<String> levels;

  @Option(names = "--producers", split = ",", defaultValue = "16")
  List<Integer> producers;

  @Option(names = "--consumers", defaultValue = "4")
  int consumers;

  @Option(names = "--size", defaultValue = "1024", description = "Body size in bytes.")
  int size;

  @Option(names = "--duration", defaultValue = "10", description = "Seconds per run.")
  int seconds;

  @Option(
      names = "--rate",
      defaultValue = "0",
      description = "Total sends/s; 0 = as fast as it goes.")
  int rate;

  @Option(
      names = "--cross-engine",
      description = "Local run: send to one engine, the queue on another (a delivery stream).")
  boolean crossEngine;

  @Option(
      names = "--receive-url",
      split = ",",
      description = "Where consumers receive (default: --url).")
  List<String> receiveUrls = new ArrayList<>();

  @Option(
      names = "--warmup",
      defaultValue = "10",
      description = "Seconds of unmeasured load first, so the JIT has compiled the hot paths.")
  int warmup;

  @Option(names = "--report", description = "Append the table (markdown) to this file.")
  Path report;

  @Override
  public Integer call() throws Exception {
    LocalTarget local = null;
    if (urls.isEmpty()) {
      Path home = Path.of(System.getProperty("sibus.home", "."));
      local = LocalTarget.start(home, home.resolve(".sibus/perf"), crossEngine);
      urls = List.of(local.url());
      receiveUrls = List.of(local.receiveUrl());
      System.out.println("measuring a local engine at " + local.url() + " (embedded PostgreSQL)");
    }
    try {
      if (warmup > 0) {
        System.out.println("warming up for " + warmup + " s");
        Workload.Spec spec =
            new Workload.Spec(
                destination,
                levels.get(0),
                producers.get(producers.size() - 1),
                consumers,
                size,
                Duration.ofSeconds(warmup),
                0);
        List<String> receivers = receiveUrls.isEmpty() ? urls : receiveUrls;
        new Workload(
                spec,
                () -> new MemberSetClient(urls, null),
                () -> new MemberSetClient(receivers, null))
            .run();
        drain(spec);
      }
      List<String> rows = new ArrayList<>();
      rows.add(ReportTable.HEADER);
      System.out.println(ReportTable.HEADER);
      for (String level : levels) {
        for (int producerCount : producers) {
          Workload.Spec spec =
              new Workload.Spec(
                  destination,
                  level,
                  producerCount,
                  consumers,
                  size,
                  Duration.ofSeconds(seconds),
                  rate);
          EngineProbe.Commits before = EngineProbe.commits(urls.get(0));
          double cpuBefore = local == null ? -1 : EngineProbe.cpuSeconds(local.pid());
          List<String> receivers = receiveUrls.isEmpty() ? urls : receiveUrls;
          Workload.Result result =
              new Workload(
                      spec,
                      () -> new MemberSetClient(urls, null),
                      () -> new MemberSetClient(receivers, null))
                  .run();
          EngineProbe.Commits after = EngineProbe.commits(urls.get(0));
          double cpu = local == null ? -1 : EngineProbe.cpuSeconds(local.pid()) - cpuBefore;
          double rss = local == null ? -1 : EngineProbe.rssMiB(local.pid());
          String row = ReportTable.row(result, before, after, cpu, rss);
          rows.add(row);
          System.out.println(row);
          drain(spec);
        }
      }
      if (report != null) {
        String text =
            "\n### `sibus perf` "
                + LocalDate.now()
                + " — "
                + String.join(" ", Arrays.asList(System.getProperty("sibus.args", "").split(" ")))
                + "\n\n"
                + String.join("\n", rows)
                + "\n";
        Files.writeString(
            report,
            text,
            java.nio.file.StandardOpenOption.CREATE,
            java.nio.file.StandardOpenOption.APPEND);
      }
      return 0;
    } finally {
      if (local != null) {
        local.close();
      }
    }
  }

  /** Leaves the destination empty for the next run (what the consumers had not taken yet). */
  private void drain(Workload.Spec spec) throws Exception {
    List<String> receivers = receiveUrls.isEmpty() ? urls : receiveUrls;
    EngineClient engine = new EngineClient(receivers.get(0));
    long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
    while (System.nanoTime() < deadline) {
      EngineClient.Reply reply = engine.destination(spec.destination());
      if (!reply.ok() || reply.json().get("depth").asLong() == 0) {
        return;
      }
      new Workload(
              new Workload.Spec(
                  spec.destination(),
                  spec.reliability(),
                  0,
                  spec.consumers(),
                  16,
                  Duration.ofSeconds(2),
                  0),
              () -> new MemberSetClient(urls, null),
              () -> new MemberSetClient(receivers, null))
          .run();
    }
  }

  public static void main(String[] args) {
    CommandLine line = new CommandLine(new PerfCommand());
    line.setParameterExceptionHandler(
        (e, a) -> {
          System.err.println(e.getMessage());
          return 2;
        });
    System.exit(line.execute(args));
  }
}
