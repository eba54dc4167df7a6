package io.sibus.perf;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/**
 * The core wait of a commit: the writers' wait and that of the busiest PostgreSQL process, per
 * commit, from scheduler counters read on this machine.
 */
class CoreWaitTest {
  private static final long MS = 1_000_000;

  @Test
  void addsTheWritersWaitToThatOfTheDatabaseProcessThatRanMost() {
    CoreWait.Sample before =
        new CoreWait.Sample(
            Map.of("11", new long[] {0, 100 * MS}),
            Map.of("21", new long[] {0, 0}, "22", new long[] {0, 0}));
    CoreWait.Sample after =
        new CoreWait.Sample(
            Map.of(
                "11", new long[] {50 * MS, 130 * MS}, // waited 30 ms in the interval
                "12", new long[] {5 * MS, 10 * MS}), // a helper started meanwhile: all 10 ms
            Map.of(
                "21", new long[] {400 * MS, 20 * MS}, // the writers' connection: 20 ms
                "22", new long[] {10 * MS, 90 * MS})); // waited more, ran less: not counted

    assertThat(CoreWait.perCommitMillis(before, after, 100)).isEqualTo(0.6); // 60 ms / 100
  }

  @Test
  void unknownWithoutCommitsOrCounters() {
    CoreWait.Sample some =
        new CoreWait.Sample(Map.of("11", new long[] {1, 1}), Map.of("21", new long[] {1, 1}));
    CoreWait.Sample none = new CoreWait.Sample(Map.of(), Map.of());

    assertThat(CoreWait.perCommitMillis(some, some, 0)).isNaN();
    assertThat(CoreWait.perCommitMillis(none, none, 10)).isNaN();
  }

  @Test
  void readsAWriterThreadOfARunningProcess() throws Exception {
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
      assertThat(sample.writers().values().iterator().next()[0]).isPositive(); // ran on a core
    } finally {
      stop.countDown();
      writer.join();
    }
  }
}
