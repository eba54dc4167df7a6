package io.sibus.engine.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import io.sibus.datastore.Reliability;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The index's queues as the active member's store keeps them. */
class ActiveStoreTest {
  private final ActiveStore store = new ActiveStore("me1", 1, UUID.randomUUID(), null, null);

  @Test
  void anEntryForARetiredQueueGoesToANewQueueOfItsName() {
    QueueIndex old = store.queue("audit");
    old.add(entry(1));
    store.forget(old);
    assertThat(old.retire()).hasSize(1);

    store.index("audit", entry(2));
    store.restore("audit", List.of(entry(3)));

    assertThat(old.isEmpty()).isTrue();
    assertThat(store.existingQueue("audit")).isNotSameAs(old);
    assertThat(store.existingQueue("audit").depth()).isEqualTo(2);
  }

  @Test
  void aRetiredQueueTheStoreStillHoldsIsReplaced() {
    QueueIndex old = store.queue("audit");
    old.retire(); // as by a move that has not forgotten it yet

    store.index("audit", entry(1));

    assertThat(store.existingQueue("audit")).isNotSameAs(old);
    assertThat(store.existingQueue("audit").depth()).isEqualTo(1);
  }

  @Test
  void anEntryForALiveQueueGoesToIt() {
    QueueIndex queue = store.queue("orders");

    store.index("orders", entry(1));

    assertThat(store.existingQueue("orders")).isSameAs(queue);
    assertThat(queue.depth()).isEqualTo(1);
  }

  private static Entry entry(long seq) {
    return new Entry(seq, "id-" + seq, 4, Reliability.ASSURED_PERSISTENT, 0, null, 0);
  }
}
