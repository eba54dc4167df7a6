package io.sibus.k8s;

import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * An image whose entry point is a Quarkus application: here the application's jar, run by this
 * machine's JDK as a process of its own, listening on the pod IP. The process sees the pod's
 * environment and nothing of the caller's, as in a container.
 */
final class JarImage implements LocalImage {
  private final Path jar;
  private final Optional<String> terminationLogVariable;

  /**
   * @param terminationLogVariable the variable through which the application is told where its
   *     termination message goes (the image's own setting), when it writes one
   */
  JarImage(Path jar, Optional<String> terminationLogVariable) {
    this.jar = jar;
    this.terminationLogVariable = terminationLogVariable;
  }

  @Override
  public LocalContainer start(ContainerLaunch launch) {
    if (!Files.isRegularFile(jar)) {
      throw new PodStartException(
          "ErrImagePull", "no local build of the image: " + jar + " is missing; build it first");
    }
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-XX:+UseSerialGC");
    command.add("-XX:TieredStopAtLevel=1");
    memoryLimit(launch.container().getResources())
        .ifPresent(bytes -> command.add("-XX:MaxRAM=" + bytes));
    command.add("-Djdk.net.hosts.file=" + launch.hostsFile());
    // A Service may be recreated with another address: do not cache names for long.
    command.add("-Dsun.net.inetaddr.ttl=1");
    command.add("-Dsun.net.inetaddr.negative.ttl=0");
    command.add("-jar");
    command.add(jar.toString());
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.directory(launch.podDirectory().toFile());
    Map<String, String> env = builder.environment();
    env.keySet().retainAll(List.of("PATH", "LANG", "TZ", "JAVA_HOME"));
    env.put("HOME", launch.podDirectory().toString());
    env.put("HOSTNAME", launch.pod().getMetadata().getName());
    env.put("KUBECONFIG", launch.kubeconfig().toString());
    env.put("QUARKUS_HTTP_HOST", launch.podIp());
    terminationLogVariable.ifPresent(v -> env.put(v, launch.terminationMessageFile().toString()));
    env.putAll(launch.environment());
    builder.redirectErrorStream(true);
    builder.redirectOutput(ProcessBuilder.Redirect.appendTo(launch.logFile().toFile()));
    try {
      return new ProcessContainer(builder.start());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The JVM sizes itself from the limit, as it would from the container's cgroup. */
  private static Optional<Long> memoryLimit(ResourceRequirements resources) {
    if (resources == null || resources.getLimits() == null) {
      return Optional.empty();
    }
    Quantity memory = resources.getLimits().get("memory");
    return memory == null
        ? Optional.empty()
        : Optional.of(Quantity.getAmountInBytes(memory).longValue());
  }

  private record ProcessContainer(Process process) implements LocalContainer {
    @Override
    public boolean alive() {
      return process.isAlive();
    }

    @Override
    public Integer exitCode() {
      return process.isAlive() ? null : process.exitValue();
    }

    @Override
    public void terminate(Duration grace) {
      process.destroy();
      if (!waitFor(grace)) {
        kill();
      }
    }

    @Override
    public void kill() {
      process.destroyForcibly();
      waitFor(Duration.ofSeconds(30));
    }

    @Override
    public long pid() {
      return process.pid();
    }

    private boolean waitFor(Duration timeout) {
      try {
        return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
  }
}
