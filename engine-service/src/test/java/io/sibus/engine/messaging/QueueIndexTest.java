package io.sibus.engine.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import io.sibus.datastore.Reliability;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class QueueIndexTest {
  private final QueueIndex queue = new QueueIndex("orders");

  @Test
  void deliversByPriorityThenBySequence() {
    add(1, 1);
    add(2, 9);
    add(3, 4);
    add(4, 9);
    List<Entry> picked = queue.pick(10, 0, 1000).picked();
    assertThat(picked).extracting(e -> e.seq).containsExactly(2L, 4L, 3L, 1L);
  }

  @Test
  void aLockedMessageIsNotDeliveredAgainUntilItsLockExpires() {
    add(1, 4);
    Entry entry = queue.pick(1, 0, 1000).picked().get(0);
    var firstReceipt = entry.receipt;
    queue.lockRecorded(List.of(entry));
    assertThat(queue.pick(1, 10, 1010).picked()).isEmpty();
    assertThat(queue.expireLocks(999)).isEmpty();
    List<Entry> expired = queue.expireLocks(1000);
    assertThat(expired).containsExactly(entry);
    queue.makeAvailable(entry);
    Entry again = queue.pick(1, 1001, 2000).picked().get(0);
    assertThat(again.deliveryCount).isEqualTo(2);
    assertThat(again.receipt).isNotNull().isNotEqualTo(firstReceipt);
  }

  @Test
  void aReceiptSettlesOnlyWhileItsLockHolds() {
    add(1, 4);
    Entry entry = queue.pick(1, 0, 1000).picked().get(0);
    assertThat(queue.beginSettle(entry.receipt, 10)).isNull(); // lock not yet recorded
    queue.lockRecorded(List.of(entry));
    assertThat(queue.beginSettle(entry.receipt, 1000)).isNull(); // expired
    Entry settling = queue.beginSettle(entry.receipt, 999);
    assertThat(settling).isSameAs(entry);
    assertThat(queue.beginSettle(entry.receipt, 999)).isNull(); // only once
    queue.remove(entry);
    assertThat(queue.depth()).isZero();
  }

  @Test
  void anUnrecordedLockPutsTheMessageBackUntouched() {
    add(1, 4);
    Entry entry = queue.pick(1, 0, 1000).picked().get(0);
    queue.unpick(List.of(entry), false);
    Entry again = queue.pick(1, 0, 1000).picked().get(0);
    assertThat(again.deliveryCount).isEqualTo(1);
  }

  /**
   * The store recorded the locks (and counted the attempts) but their rows could not be read back:
   * a persistent message keeps the count the store has; a nonpersistent one, whose count lives only
   * here, goes back untouched.
   */
  @Test
  void aLockCommittedButNotReadBackKeepsTheStoresDeliveryCount() {
    add(1, 4);
    queue.add(
        new Entry(
            2,
            "id-2",
            4,
            Reliability.RELIABLE_NONPERSISTENT,
            0,
            new MemoryMessage(
                "id-2",
                "orders",
                4,
                Reliability.RELIABLE_NONPERSISTENT,
                null,
                null,
                Map.of(),
                new byte[0],
                0,
                0),
            0));
    List<Entry> picked = queue.pick(2, 0, 1000).picked();
    queue.unpick(picked, true);
    List<Entry> again = queue.pick(2, 0, 1000).picked();
    assertThat(again).extracting(e -> e.seq).containsExactly(1L, 2L);
    assertThat(again).extracting(e -> e.deliveryCount).containsExactly(2, 1);
  }

  @Test
  void expiredMessagesAreRemovedNotDelivered() {
    queue.add(new Entry(1, "id-1", 4, Reliability.ASSURED_PERSISTENT, 500, null, 0));
    add(2, 4);
    QueueIndex.Pick pick = queue.pick(10, 600, 2000);
    assertThat(pick.picked()).extracting(e -> e.seq).containsExactly(2L);
    assertThat(pick.expired()).extracting(e -> e.seq).containsExactly(1L);
    assertThat(queue.depth()).isEqualTo(1);
  }

  @Test
  void aWaitingReceiverIsWokenByANewMessage() {
    QueueIndex.Pick empty = queue.pick(1, 0, 1000);
    assertThat(empty.signal()).isNotDone();
    add(1, 4);
    assertThat(empty.signal()).isDone();
  }

  @Test
  void drainedEntriesComeBackAvailableUnlessTheIndexHoldsThemAgain() {
    add(1, 4);
    add(2, 4);
    Entry locked = queue.pick(1, 0, 1000).picked().get(0);
    queue.lockRecorded(List.of(locked));
    var receipt = locked.receipt;
    List<Entry> drained = queue.drainAll();
    assertThat(queue.depth()).isZero();
    // A reload read message 2 back, locked by a consumer: it must not become available as well.
    Entry reloaded = new Entry(2, "id-2", 4, Reliability.ASSURED_PERSISTENT, 0, null, 1);
    reloaded.receipt = UUID.randomUUID();
    reloaded.lockedUntilMillis = 1000;
    reloaded.state = Entry.State.LOCKED;
    queue.add(reloaded);
    queue.restore(drained);
    assertThat(queue.depth()).isEqualTo(2);
    assertThat(queue.beginSettle(receipt, 10)).isNull(); // its lock went with the move
    List<Entry> picked = queue.pick(10, 0, 1000).picked();
    assertThat(picked).extracting(e -> e.seq).containsExactly(1L);
    assertThat(picked.get(0).deliveryCount).isEqualTo(2);
    assertThat(queue.beginSettle(reloaded.receipt, 10)).isSameAs(reloaded);
  }

  @Test
  void aRetiredQueueTakesNoMoreEntries() {
    add(1, 4);
    assertThat(queue.retire()).extracting(e -> e.seq).containsExactly(1L);

    Entry late = new Entry(2, "id-2", 4, Reliability.ASSURED_PERSISTENT, 0, null, 0);
    assertThat(queue.offer(late)).isFalse();
    assertThat(queue.restore(List.of(late))).isFalse();
    assertThat(queue.depth()).isZero();
    assertThat(queue.offer(late)).as("still retired").isFalse();
  }

  @Test
  void aRetiredQueueWakesItsReceiversAndAReceiverThatPicksLaterDoesNotWait() {
    var waiting = queue.pick(10, 0, 1000).signal();

    queue.retire();

    assertThat(waiting).isDone();
    assertThat(queue.pick(10, 0, 1000).signal()).isDone();
    queue.wake();
    assertThat(queue.pick(10, 0, 1000).signal()).isDone();
  }

  private void add(long seq, int priority) {
    queue.add(new Entry(seq, "id-" + seq, priority, Reliability.ASSURED_PERSISTENT, 0, null, 0));
  }
}
