package io.sibus.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One engine member as a real operating-system process (the engine-service jar), with its
 * configuration as system properties, its output in a log file and its termination message in a
 * file of its own. It can be stopped gracefully (SIGTERM) or killed (SIGKILL, as kill -9).
 */
public final class MemberProcess implements AutoCloseable {
  /**
   * The JVM options every member gets before the spec's own (which come later and win). A small
   * process: the serial collector, and a first heap of 64 MB. The default first heap is 1/64 of the
   * machine's memory (384 MB on 24 GiB), a third of it young generation that a busy member fills
   * and then keeps resident: 257 MiB idle after load. From 64 MB the heap grows only as far as the
   * live data needs: 179 MiB, with the same throughput (2,576 against 2,519 and 2,295 sends/s, 16
   * producers). A spec with an -Xmx below 64m must give its own -Xms.
   */
  public static final List<String> DEFAULT_JVM_OPTIONS =
      List.of("-XX:+UseSerialGC", "-Xshare:auto", "-Xms64m");

  /**
   * The class-data archive that the engine's build writes beside its jar (engine-service/pom.xml,
   * "class-data-archive"): the classes of a whole start, already parsed and verified, recorded from
   * a training member ({@link ClassArchiveTraining}). When present, the member runs from the jar's
   * directory and maps it: a member's boot took 1.62-2.23 s with it against 1.93-2.75 s with
   * Quarkus's archive of static initialisation only (six starts each, alternating). It holds for
   * the JDK that built it only; "-Xshare:auto" lets another JDK start without it.
   */
  static final String CLASS_ARCHIVE = "app-cds.jsa";

  /** {@link #reportedState()} of a member whose process has ended. */
  public static final String EXITED = "EXITED";

  /** {@link #reportedState()} of a member that does not answer (yet). */
  public static final String DOWN = "DOWN";

  private final String name;
  private final int port;
  private final Path log;
  private final Path terminationLog;
  private final Process process;

  private MemberProcess(String name, int port, Path log, Path terminationLog, Process process) {
    this.name = name;
    this.port = port;
    this.log = log;
    this.terminationLog = terminationLog;
    this.process = process;
  }

  /**
   * Settings for a member to launch. The member runs in its jar's directory, so a path given as a
   * property must be absolute.
   */
  public static final class Spec {
    private final Path jar;
    private final String member;
    private final Map<String, String> properties = new LinkedHashMap<>();
    private final List<String> jvmOptions = new ArrayList<>();
    private Path workDirectory;
    private int port;
    private String host = "127.0.0.1";

    public Spec(Path jar, String member) {
      this.jar = jar;
      this.member = member;
    }

    public Spec property(String key, String value) {
      properties.put(key, value);
      return this;
    }

    public Spec properties(Map<String, String> values) {
      properties.putAll(values);
      return this;
    }

    public Spec jvmOption(String option) {
      jvmOptions.add(option);
      return this;
    }

    public Spec workDirectory(Path directory) {
      this.workDirectory = directory;
      return this;
    }

    /** The port to listen on; a free one is chosen when unset. */
    public Spec port(int value) {
      this.port = value;
      return this;
    }

    public Spec host(String value) {
      this.host = value;
      return this;
    }

    public String member() {
      return member;
    }

    public int portOrChoose() {
      if (port == 0) {
        port = LocalPostgres.freePort();
      }
      return port;
    }
  }

  /** Launches the member; it is running (not necessarily ready) when this returns. */
  public static MemberProcess launch(Spec spec) {
    try {
      Path work =
          (spec.workDirectory != null ? spec.workDirectory : Files.createTempDirectory("sibus-"))
              .toAbsolutePath();
      Files.createDirectories(work);
      int port = spec.portOrChoose();
      Path log = work.resolve(spec.member + ".log");
      Path termination = work.resolve(spec.member + ".termination-log");
      Files.deleteIfExists(termination);
      List<String> command = new ArrayList<>();
      command.add(javaExecutable());
      command.addAll(DEFAULT_JVM_OPTIONS);
      command.addAll(spec.jvmOptions);
      command.add("-Dquarkus.http.host=" + spec.host);
      command.add("-Dquarkus.http.port=" + port);
      command.add("-Dsibus.engine.member=" + spec.member);
      command.add("-Dsibus.engine.url=http://" + spec.host + ":" + port);
      command.add("-Dsibus.engine.termination-log=" + termination);
      for (Map.Entry<String, String> e : spec.properties.entrySet()) {
        command.add("-D" + e.getKey() + "=" + e.getValue());
      }
      Path jar = spec.jar.toAbsolutePath();
      Path archive = jar.resolveSibling(CLASS_ARCHIVE);
      if (Files.isRegularFile(archive)) {
        command.add("-XX:SharedArchiveFile=" + archive);
        // A JDK other than the build's starts without the archive; it need not log an error too.
        command.add("-Xlog:cds=off");
      }
      command.add("-jar");
      // The archive names the jar as Quarkus's build ran it: by file name, from its directory.
      command.add(jar.getFileName().toString());
      ProcessBuilder builder = new ProcessBuilder(command).directory(jar.getParent().toFile());
      builder.redirectErrorStream(true);
      builder.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
      return new MemberProcess(spec.member, port, log, termination, builder.start());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public String name() {
    return name;
  }

  public int port() {
    return port;
  }

  public String url() {
    return "http://127.0.0.1:" + port;
  }

  public long pid() {
    return process.pid();
  }

  public boolean alive() {
    return process.isAlive();
  }

  /** kill -9: the process gets no chance to clean up. */
  public void kill() {
    process.destroyForcibly();
    waitFor(Duration.ofSeconds(30));
  }

  /** SIGTERM, then SIGKILL when the process has not exited within {@code grace}. */
  public void terminate(Duration grace) {
    process.destroy();
    if (waitFor(grace) == null) {
      kill();
    }
  }

  /** The exit code, or null when the process is still running after {@code timeout}. */
  public Integer waitFor(Duration timeout) {
    try {
      if (process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        return process.exitValue();
      }
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  public Path logFile() {
    return log;
  }

  /**
   * The engine state the member reports: {@link #EXITED} when its process has ended, {@link #DOWN}
   * when it does not answer (yet), {@code HTTP <status>} when it answers with an error.
   */
  public String reportedState() {
    if (!process.isAlive()) {
      return EXITED;
    }
    try {
      EngineClient.Reply reply = new EngineClient(url()).engine();
      return reply.ok() ? reply.text("state") : "HTTP " + reply.status();
    } catch (IOException e) {
      return DOWN;
    }
  }

  /**
   * Asks the member for its state every {@code poll} until it reports {@code state}.
   *
   * @throws IllegalStateException when the member exits first, or after {@code timeout}, with what
   *     it reported last and where its log is
   */
  public void awaitState(String state, Duration timeout, Duration poll)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    String reported = reportedState();
    while (!state.equals(reported)) {
      if (!process.isAlive()) {
        throw new IllegalStateException("member " + name + " exited; see " + log);
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "member "
                + name
                + " did not become "
                + state
                + " within "
                + timeout.toMillis()
                + " ms (it reports "
                + reported
                + "); see "
                + log);
      }
      Thread.sleep(poll.toMillis());
      reported = reportedState();
    }
  }

  /** Everything the member printed so far. */
  public String log() {
    try {
      return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
    } catch (IOException e) {
      return "(log unreadable: " + e.getMessage() + ")";
    }
  }

  /** The termination message the member wrote before it exited, or empty. */
  public String terminationMessage() {
    try {
      return Files.exists(terminationLog)
          ? Files.readString(terminationLog, StandardCharsets.UTF_8)
          : "";
    } catch (IOException e) {
      return "";
    }
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      terminate(Duration.ofSeconds(10));
    }
  }

  static String javaExecutable() {
    return ProcessHandle.current()
        .info()
        .command()
        .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
  }
}
