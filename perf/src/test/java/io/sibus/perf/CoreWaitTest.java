package io.sibus.perf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.sibus.perf.CoreWait.Counters;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/**
 * The core wait of a commit: the writers' wait and that of the PostgreSQL process that ran most in
 * the interval, per commit, from scheduler counters read on this machine.
 */
class CoreWaitTest {
  private static final long MS = 1_000_000;

  @Test
  void addsTheWritersWaitToThatOfTheDatabaseProcessThatRanMostInTheInterval() {
    CoreWait.Sample before =
        new CoreWait.Sample(
            Map.of("11", new Counters(0, 100 * MS)),
            Map.of("21", new Counters(100 * MS, 5 * MS), "22", new Counters(1000 * MS, 0)));
    CoreWait.Sample after =
        new CoreWait.Sample(
            Map.of(
                "11", new Counters(50 * MS, 130 * MS), // waited 30 ms in the interval
                "12", new Counters(5 * MS, 10 * MS)), // a helper started meanwhile: all 10 ms
            Map.of(
                "21", new Counters(500 * MS, 25 * MS), // ran 400 ms, waited 20 ms: counted
                "22", new Counters(1010 * MS, 90 * MS))); // more in all, but ran 10 ms since

    assertThat(CoreWait.perCommitMillis(before, after, 100)).isEqualTo(0.6); // 60 ms / 100
  }

  @Test
  void unknownWithoutCommitsOrWithoutCountersInEitherSample() {
    CoreWait.Sample some =
        new CoreWait.Sample(Map.of("11", new Counters(1, 1)), Map.of("21", new Counters(1, 1)));
    CoreWait.Sample none = new CoreWait.Sample(Map.of(), Map.of());

    assertThat(CoreWait.perCommitMillis(some, some, 0)).isNaN();
    assertThat(CoreWait.perCommitMillis(none, some, 10)).isNaN(); // not a whole lifetime's wait
    assertThat(CoreWait.perCommitMillis(some, none, 10)).isNaN();
  }

  @Test
  void readsAWriterThreadOfARunningProcess() throws Exception {
    // The benchmark reads Linux's counters; elsewhere the column shows "-" and this has no subject.
    assumeTrue(Files.isReadable(Path.of("/proc/self/schedstat")), "Linux scheduler counters");
    CountDownLatch stop = new CountDownLatch(1);
    Thread writer =
        new Thread(
            () -> {
              while (stop.getCount() > 0) {
                Thread.onSpinWait(); // on a core until the sample is taken
              }
            },
            "sibus-writer-0");
    writer.start();
    try {
      Thread.sleep(50);
      CoreWait.Sample sample = CoreWait.sample(ProcessHandle.current().pid());

      assertThat(sample.writers()).hasSize(1);
      assertThat(sample.writers().values().iterator().next().onCore()).isPositive();
    } finally {
      stop.countDown();
      writer.join();
    }
  }
}
