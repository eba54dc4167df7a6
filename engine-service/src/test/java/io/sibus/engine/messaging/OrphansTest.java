package io.sibus.engine.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sibus.datastore.Reliability;
import io.sibus.engine.health.Faults;
import io.sibus.engine.health.LoopMonitor;
import io.sibus.engine.metrics.EngineMetrics;
import io.sibus.engine.store.GroupCommit;
import io.sibus.engine.store.StoreErrors;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The housekeeping's choices about the messages of removed destinations: what a pass moves, when it
 * waits for a failed move's retry, and which retry a move that succeeds clears. The move itself (to
 * the exception destination, in the data store) is {@code RemovedDestinationIT}'s; here it only
 * answers.
 */
class OrphansTest {
  // Never given an operation (the mover below answers for the store): only whether it accepts.
  private final GroupCommit writer =
      new GroupCommit(
          null,
          null,
          null,
          null,
          null,
          new LoopMonitor(),
          new Faults(),
          new EngineMetrics(new SimpleMeterRegistry()),
          1,
          10);
  private final ActiveStore store = new ActiveStore("me1", 1, UUID.randomUUID(), writer, null);
  private final List<String> moves = new ArrayList<>();
  private final Map<String, Supplier<CompletableFuture<Void>>> answers = new HashMap<>();
  private final Orphans orphans =
      new Orphans(
          Set.of("orders")::contains,
          (active, from, entries, reason) -> {
            moves.add(from.name + ":" + entries.size());
            return answers
                .getOrDefault(from.name, () -> CompletableFuture.completedFuture(null))
                .get();
          });

  @BeforeEach
  void startWriter() {
    writer.start(1);
  }

  @AfterEach
  void stopWriter() {
    writer.shutdown();
  }

  @Test
  void aPassMovesWhatSitsUnderARemovedDestinationAndForgetsItsQueues() {
    store.queue("orders").add(entry(1));
    store.queue("audit").add(entry(2));
    store.queue("audit").add(entry(3));
    QueueIndex empty = store.queue("trace");

    orphans.sweep(store);

    assertThat(moves).containsExactly("audit:2");
    assertThat(store.existingQueue("audit")).isNull();
    assertThat(store.existingQueue("trace")).isNull();
    assertThat(empty.offer(entry(4)))
        .as("an empty queue of a removed destination is retired")
        .isFalse();
    assertThat(store.existingQueue("orders").depth()).isEqualTo(1);
    assertThat(store.orphansRetryAt.get()).isEqualTo(ActiveStore.NO_RETRY);
  }

  @Test
  void aFailedMovePutsItsMessagesBackAndHoldsThePassesBackUntilItsRetry() {
    answers.put("audit", () -> CompletableFuture.failedFuture(new IllegalStateException("down")));
    store.queue("audit").add(entry(1));

    orphans.sweep(store);
    assertThat(store.existingQueue("audit").depth()).isEqualTo(1);
    assertThat(millisToRetry())
        .isBetween(Orphans.FIRST_RETRY_MILLIS - 1_000, Orphans.FIRST_RETRY_MILLIS);
    orphans.sweep(store);
    assertThat(moves).as("not tried again before its retry").containsExactly("audit:1");

    answers.clear();
    store.orphansRetryAt.set(System.nanoTime() - 1); // the retry comes due
    orphans.sweep(store);

    assertThat(moves).containsExactly("audit:1", "audit:1");
    assertThat(store.existingQueue("audit")).isNull();
    assertThat(store.orphansRetryAt.get()).isEqualTo(ActiveStore.NO_RETRY);
    assertThat(store.orphanMoveFailures.get()).isZero();
  }

  @Test
  void eachFailureDoublesTheWaitUpToTheLast() {
    answers.put(
        "audit",
        () -> {
          throw new IllegalStateException("refused before any statement"); // as thrown at once
        });
    store.queue("audit").add(entry(1));
    List<Long> waits = new ArrayList<>();
    for (int failure = 1; failure <= 8; failure++) {
      store.orphansRetryAt.set(System.nanoTime() - 1);
      orphans.sweep(store);
      waits.add(Math.round(millisToRetry() / 1_000.0));
    }

    assertThat(waits).containsExactly(5L, 10L, 20L, 40L, 80L, 160L, 300L, 300L);
    assertThat(store.existingQueue("audit").depth()).isEqualTo(1);
  }

  @Test
  void aPassStopsAtTheFirstMoveThatFails() {
    answers.put("audit", () -> CompletableFuture.failedFuture(new IllegalStateException("down")));
    answers.put("trace", answers.get("audit"));
    store.queue("audit").add(entry(1));
    store.queue("trace").add(entry(2));

    orphans.sweep(store);

    assertThat(moves).as("the other waits for the retry").hasSize(1);
    assertThat(store.existingQueue("audit").depth()).isEqualTo(1);
    assertThat(store.existingQueue("trace").depth()).isEqualTo(1);
  }

  @Test
  void aMoveThatSucceedsClearsOnlyTheRetryPendingWhenItBegan() {
    CompletableFuture<Void> slow = new CompletableFuture<>();
    answers.put("audit", () -> slow);
    answers.put("trace", () -> CompletableFuture.failedFuture(new IllegalStateException("down")));
    store.queue("audit").add(entry(1));
    orphans.sweep(store); // audit's move begins, with no retry pending
    store.queue("trace").add(entry(2));
    orphans.sweep(store); // trace's fails meanwhile
    long retry = store.orphansRetryAt.get();

    slow.complete(null);

    assertThat(retry).isNotEqualTo(ActiveStore.NO_RETRY);
    assertThat(store.orphansRetryAt.get()).as("trace's retry still waits").isEqualTo(retry);
    assertThat(store.orphanMoveFailures.get()).isEqualTo(1);
  }

  @Test
  void aMoveRefusedBecauseTheMemberIsNoLongerActiveIsLeftToTheNextActiveMember() {
    answers.put("audit", () -> CompletableFuture.failedFuture(StoreErrors.notActive()));
    store.queue("audit").add(entry(1));

    orphans.sweep(store);

    assertThat(store.existingQueue("audit").depth()).isEqualTo(1);
    assertThat(store.orphansRetryAt.get()).isEqualTo(ActiveStore.NO_RETRY);
    assertThat(store.orphanMoveFailures.get()).isZero();
  }

  @Test
  void nothingMovesWhileTheWriterRefusesWork() {
    writer.reject(StoreErrors.unavailable());
    store.queue("audit").add(entry(1));

    orphans.sweep(store);

    assertThat(moves).isEmpty();
    assertThat(store.existingQueue("audit").depth()).isEqualTo(1);
  }

  private long millisToRetry() {
    return TimeUnit.NANOSECONDS.toMillis(store.orphansRetryAt.get() - System.nanoTime());
  }

  private static Entry entry(long seq) {
    return new Entry(seq, "id-" + seq, 4, Reliability.ASSURED_PERSISTENT, 0, null, 0);
  }
}
