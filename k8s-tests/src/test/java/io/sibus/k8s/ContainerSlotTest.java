package io.sibus.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A container's life as the status reports it: exit code, termination message, restarts. */
class ContainerSlotTest {
  /** A process standing in for a container, ended by the test. */
  private static final class FakeContainer implements LocalContainer {
    volatile Integer exitCode;

    @Override
    public boolean alive() {
      return exitCode == null;
    }

    @Override
    public Integer exitCode() {
      return exitCode;
    }

    @Override
    public void terminate(Duration grace) {
      exitCode = 143;
    }

    @Override
    public void kill() {
      exitCode = 137;
    }

    @Override
    public long pid() {
      return 42;
    }
  }

  @Test
  void anExitWithATerminationMessageIsReportedAndTheContainerRestartsAfterABackOff(
      @TempDir Path dir) throws Exception {
    ContainerSlot slot =
        new ContainerSlot(
            new ContainerBuilder().withName("engine").withImage("ghcr.io/sibus/engine:1").build(),
            "me1-0",
            "Always",
            Duration.ofSeconds(1));
    Path message = dir.resolve("termination-log");
    AtomicInteger starts = new AtomicInteger();
    FakeContainer[] current = new FakeContainer[1];
    Runnable tick =
        () ->
            slot.tick(
                () -> {
                  starts.incrementAndGet();
                  current[0] = new FakeContainer();
                  return current[0];
                },
                "127.20.0.1",
                message);

    tick.run();
    assertThat(slot.status("img").getState().getRunning()).isNotNull();
    assertThat(slot.ready()).isFalse(); // not probed yet

    Files.writeString(message, "LOCAL SIBUS0052E the member lost its data store");
    current[0].exitCode = 10;
    tick.run();
    ContainerStatus ended = slot.status("img");
    assertThat(ended.getRestartCount()).isEqualTo(1);
    assertThat(ended.getState().getWaiting().getReason()).isEqualTo("CrashLoopBackOff");
    assertThat(ended.getLastState().getTerminated().getExitCode()).isEqualTo(10);
    assertThat(ended.getLastState().getTerminated().getReason()).isEqualTo("Error");
    assertThat(ended.getLastState().getTerminated().getMessage())
        .isEqualTo("LOCAL SIBUS0052E the member lost its data store");

    tick.run();
    assertThat(starts).as("not restarted before the back-off").hasValue(1);
    Thread.sleep(1100);
    tick.run();
    assertThat(starts).hasValue(2);
    assertThat(slot.status("img").getState().getRunning()).isNotNull();
  }

  @Test
  void underRestartPolicyNeverAnEndedContainerStaysEnded(@TempDir Path dir) {
    ContainerSlot slot =
        new ContainerSlot(
            new ContainerBuilder().withName("job").withImage("x").build(),
            "job-0",
            "Never",
            Duration.ofSeconds(1));
    FakeContainer container = new FakeContainer();
    slot.tick(() -> container, "127.20.0.2", dir.resolve("none"));
    container.exitCode = 0;
    slot.tick(() -> container, "127.20.0.2", dir.resolve("none"));

    assertThat(slot.finished()).isTrue();
    assertThat(slot.failed()).isFalse();
    assertThat(slot.status("x").getState().getTerminated().getReason()).isEqualTo("Completed");
    assertThat(slot.restarts()).isZero();
  }
}
