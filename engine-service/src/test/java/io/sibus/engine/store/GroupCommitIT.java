package io.sibus.engine.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sibus.datastore.DeliveryLock;
import io.sibus.datastore.EngineIdentity;
import io.sibus.datastore.MessageRow;
import io.sibus.datastore.MessageStore;
import io.sibus.datastore.Ownership;
import io.sibus.datastore.Reliability;
import io.sibus.datastore.SchemaName;
import io.sibus.datastore.StoreException;
import io.sibus.datastore.StoreVerifier;
import io.sibus.datastore.StreamStore;
import io.sibus.engine.error.ApiException;
import io.sibus.engine.health.Faults;
import io.sibus.engine.health.LoopMonitor;
import io.sibus.engine.metrics.EngineMetrics;
import io.sibus.local.LocalPostgres;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.LongStream;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.postgresql.ds.PGSimpleDataSource;

/** The group-commit writer against a real PostgreSQL: its round trips and its epoch fence. */
class GroupCommitIT {
  static LocalPostgres postgres;
  final SchemaName schema = new SchemaName("it_group_commit");
  final EngineIdentity identity = new EngineIdentity("bus", "me1");
  final Ownership ownership = new Ownership(schema, identity);
  final MessageStore store = new MessageStore(schema);
  final AtomicInteger statements = new AtomicInteger();
  final Queue<Connection> idle = new ConcurrentLinkedQueue<>();
  final AtomicInteger commitCalls = new AtomicInteger();
  final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  final Faults faults = new Faults();
  final List<StoreException> storeFailures = new CopyOnWriteArrayList<>();
  // Once set, the next statement that locks messages for delivery fails to hand over its rows,
  // with this.
  final AtomicReference<Throwable> failTheNextLocksReadWith = new AtomicReference<>();
  // Once set, the next statement of sends fails with this as it is prepared, before it runs.
  final AtomicReference<Error> failTheNextSendsWith = new AtomicReference<>();
  final List<Throwable> dutyErrors = new CopyOnWriteArrayList<>();
  final List<String> endedDuties = new CopyOnWriteArrayList<>();
  // Once set, the next epoch fence is cancelled (a statement timeout, say) before it runs.
  final AtomicBoolean failTheNextFence = new AtomicBoolean();
  // Once set, the next statement whose SQL holds this is not run: its connection is lost.
  final AtomicReference<String> loseTheConnectionAt = new AtomicReference<>();
  // Once set, the next connection handed back fails to close with this Error.
  final AtomicReference<Error> failTheNextCloseWithError = new AtomicReference<>();
  // Once set, the next connection handed back fails to close with this SQLSTATE.
  final AtomicReference<String> failTheNextCloseWith = new AtomicReference<>();
  final List<String> recovered = new CopyOnWriteArrayList<>();
  GroupCommit writer;
  long epoch;

  @BeforeAll
  static void start() {
    postgres = LocalPostgres.start(Path.of("target", "it-group-commit-pg"));
  }

  @AfterAll
  static void stop() {
    postgres.close();
  }

  @BeforeEach
  void activate() throws SQLException {
    try (Connection c = postgres.connect();
        Statement s = c.createStatement()) {
      s.execute("DROP SCHEMA IF EXISTS it_group_commit CASCADE");
      StoreVerifier.create(c, schema);
      epoch = ownership.activate(c, "m0", "http://m0").epoch();
    }
    writer = writer(1);
  }

  /** A writer with {@code threads} threads, started at the held epoch. */
  private GroupCommit writer(int threads) {
    GroupCommit started =
        new GroupCommit(
            counting(),
            ownership,
            store,
            new StreamStore(schema),
            new RecordingFailures(),
            new LoopMonitor(),
            faults,
            new EngineMetrics(registry),
            threads,
            100);
    started.start(epoch);
    return started;
  }

  @AfterEach
  void shutdown() throws SQLException {
    writer.shutdown();
    for (Connection c = idle.poll(); c != null; c = idle.poll()) {
      c.close();
    }
  }

  @Test
  void aTransactionOfSendsOrAcknowledgementsIsOneStatementWithItsCommit() throws Exception {
    List<CompletableFuture<?>> sends = new ArrayList<>();
    for (long seq = 1; seq <= 20; seq++) {
      sends.add(writer.submit(new InsertOp(row(seq), null)));
    }
    CompletableFuture.allOf(sends.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
    // Every write and the fenced commit of a transaction in one statement (one round trip): a
    // statement per kind of work, then Connection.commit, made three or more round trips.
    assertThat(transactions()).isPositive();
    assertThat(statements.get()).isEqualTo(transactions());

    // A delivery's locks, and the rows they read back, travel with the commit too.
    UUID receipt = UUID.randomUUID();
    long until = System.currentTimeMillis() + 60_000;
    List<DeliveryLock> locks =
        LongStream.rangeClosed(1, 10)
            .mapToObj(seq -> new DeliveryLock(seq, receipt, until))
            .toList();
    long before = transactions();
    List<MessageRow> delivered = writer.submit(new LockOp(locks)).get(30, TimeUnit.SECONDS);
    assertThat(transactions()).isEqualTo(before + 1);
    assertThat(statements.get()).isEqualTo(before + 1);

    before = transactions();
    int statementsBefore = statements.get();
    CompletableFuture<Void> acknowledged = writer.submit(new SeqOp(SeqOp.Kind.DELETE, 1, 2, 3));
    CompletableFuture<Void> released = writer.submit(new SeqOp(SeqOp.Kind.UNLOCK, 4, 5));
    CompletableFuture.allOf(acknowledged, released).get(30, TimeUnit.SECONDS);
    assertThat(statements.get() - statementsBefore).isEqualTo(transactions() - before);
    assertThat(commitCalls).hasValue(0);

    assertThat(delivered)
        .extracting(MessageRow::seq)
        .containsExactlyInAnyOrder(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L);
    assertThat(delivered)
        .extracting(MessageRow::body)
        .allSatisfy(body -> assertThat(body).hasSize(1024));
    assertThat(seqs("true")).hasSize(17);
    assertThat(seqs("receipt IS NOT NULL")).containsExactly(6L, 7L, 8L, 9L, 10L);
    assertThat(seqs("delivery_count = 1")).containsExactly(4L, 5L, 6L, 7L, 8L, 9L, 10L);
  }

  /**
   * A row that does not decode: an unknown code, or a column its constraint kept from being null
   * (dropped by hand), which the reading code cannot expect.
   */
  @ParameterizedTest(name = "{1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "UPDATE it_group_commit.sibus_message SET reliability = 99 WHERE seq = 2"
            + " | unknown reliability code 99",
        "ALTER TABLE it_group_commit.sibus_message ALTER enqueued_at DROP NOT NULL;"
            + " UPDATE it_group_commit.sibus_message SET enqueued_at = NULL WHERE seq = 2"
            + " | sequence 2 cannot be read"
      })
  void aCorruptedRowReadBackByADeliveryFailsItAfterTheCommitAndIsAGlobalError(
      String corruption, String reported) throws Exception {
    writer.submit(new InsertOp(row(1), null)).get(30, TimeUnit.SECONDS);
    writer.submit(new InsertOp(row(2), null)).get(30, TimeUnit.SECONDS);
    try (Connection c = postgres.connect();
        Statement s = c.createStatement()) {
      s.execute(corruption);
    }

    // Two receives in one transaction: the writer is held by a piece of work while both queue.
    HeldTransaction held = hold(writer);
    long until = System.currentTimeMillis() + 60_000;
    CompletableFuture<List<MessageRow>> healthy =
        writer.submit(new LockOp(List.of(new DeliveryLock(1, UUID.randomUUID(), until))));
    CompletableFuture<List<MessageRow>> damaged =
        writer.submit(new LockOp(List.of(new DeliveryLock(2, UUID.randomUUID(), until))));
    int statementsBefore = statements.get();
    long transactionsBefore = transactions();
    held.release();
    held.done().get(30, TimeUnit.SECONDS);

    assertThat(healthy.get(30, TimeUnit.SECONDS)).extracting(MessageRow::seq).containsExactly(1L);
    assertThatThrownBy(() -> damaged.get(30, TimeUnit.SECONDS))
        .cause()
        .isInstanceOf(ApiException.class)
        .hasMessageContaining(reported)
        .extracting(e -> ((ApiException) e).code())
        .isEqualTo("SIBUS0050E");
    assertStoreFailed("SIBUS1539E");
    // The held transaction's commit, then one transaction of both receives in one round trip: the
    // locks committed with what they read, as when a row fails its checksum.
    assertThat(transactions()).isEqualTo(transactionsBefore + 2);
    assertThat(statements.get()).isEqualTo(statementsBefore + 2);
    assertThat(seqs("receipt IS NOT NULL")).containsExactly(1L, 2L);
  }

  @Test
  void aBatchWhoseResultsCannotBeReadAfterItsCommitIsNotRunAgain() throws Exception {
    long until =
        commitASendAndAReceiveWhoseLocksAreNotRead(
            new IllegalStateException("the rows were not handed over"));
    assertThat(dutyErrors).isEmpty();

    // The writer goes on, and a receive again delivers the message.
    List<MessageRow> again =
        writer
            .submit(new LockOp(List.of(new DeliveryLock(1, UUID.randomUUID(), until))))
            .get(30, TimeUnit.SECONDS);
    assertThat(again).extracting(MessageRow::seq).containsExactly(1L);
    assertThat(seqs("delivery_count = 2")).containsExactly(1L);
  }

  /**
   * An Error (out of memory, say) while the rows were read after the commit: as with an exception
   * there, the batch is not failed (which would tell the send that nothing was stored, and its
   * retry would store it twice); the writer then ends, and the life cycle is told to stop the
   * member (a writer that ended without a word left every later operation waiting).
   */
  @Test
  void anErrorReadingAfterTheCommitTellsWhatCommittedAndEndsTheWriter() throws Exception {
    TestError error = new TestError();
    commitASendAndAReceiveWhoseLocksAreNotRead(error);
    await().atMost(Duration.ofSeconds(10)).until(() -> !dutyErrors.isEmpty());
    assertThat(dutyErrors).containsExactly(error);
    assertThat(endedDuties).containsExactly("group-commit writer");
  }

  /**
   * A send and a receive in one transaction, whose locked rows the driver then fails to hand over
   * with {@code failure}: committed once, the send is told so, and the receive that what it locked
   * could not be read. Returns the receive's lock expiry.
   */
  private long commitASendAndAReceiveWhoseLocksAreNotRead(Throwable failure) throws Exception {
    writer.submit(new InsertOp(row(1), null)).get(30, TimeUnit.SECONDS);
    HeldTransaction held = hold(writer);
    CompletableFuture<InsertOp.Result> send = writer.submit(new InsertOp(row(2), null));
    long until = System.currentTimeMillis() + 60_000;
    CompletableFuture<List<MessageRow>> receive =
        writer.submit(new LockOp(List.of(new DeliveryLock(1, UUID.randomUUID(), until))));
    long transactionsBefore = transactions();
    failTheNextLocksReadWith.set(failure);
    held.release();
    held.done().get(30, TimeUnit.SECONDS);

    assertThat(send.get(30, TimeUnit.SECONDS).messageId()).isEqualTo("id-2");
    assertThatThrownBy(() -> receive.get(30, TimeUnit.SECONDS))
        .cause()
        .isInstanceOf(ApiException.class)
        .hasMessageContaining("could not read back")
        .extracting(e -> ((ApiException) e).code())
        .isEqualTo("SIBUS0211E");
    assertThat(failTheNextLocksReadWith).hasNullValue();
    assertThat(transactions()).isEqualTo(transactionsBefore + 2);
    assertThat(seqs("true")).containsExactly(1L, 2L);
    assertThat(seqs("delivery_count = 1 AND receipt IS NOT NULL")).containsExactly(1L);
    assertThat(storeFailures).isEmpty();
    return until;
  }

  /**
   * A connection lost in the round trip that carried the COMMIT may have committed first: the
   * answer says so, and points to the idempotency key (it said "nothing was stored", and a retry
   * without a key stored a second copy). Lost before it, at a reading transaction's fence, nothing
   * was committed, and the answer says that.
   */
  @ParameterizedTest(name = "lost at \"{0}\"")
  @CsvSource({"'; COMMIT', may have been stored", "SET TRANSACTION, nothing was stored"})
  void aConnectionLostDuringTheCommitsRoundTripMayHaveCommitted(String at, String answer)
      throws Exception {
    loseTheConnectionAt.set(at);
    CompletableFuture<?> work =
        at.contains("COMMIT")
            ? writer.submit(new InsertOp(row(1), null))
            : writer.submit(new TxOp<>(c -> "read before its commit"));

    assertThatThrownBy(() -> work.get(30, TimeUnit.SECONDS))
        .cause()
        .isInstanceOf(ApiException.class)
        .hasMessageContaining(answer)
        .extracting(e -> ((ApiException) e).code())
        .isEqualTo("SIBUS0207E");
    assertThat(loseTheConnectionAt).hasNullValue();
  }

  /**
   * An Error in what one operation does after its commit (on the completer): the other operations
   * of its batch are still told that they committed (they were left waiting), and the life cycle is
   * told that the completer's work ended on an Error.
   */
  @Test
  void anErrorAfterOneOperationsCommitLeavesNoOtherCallerWaiting() throws Exception {
    HeldTransaction held = hold(writer);
    TestError error = new TestError();
    CompletableFuture<InsertOp.Result> failing =
        writer.submit(
            new InsertOp(row(1), null)
                .afterCommit(
                    () -> {
                      throw error;
                    }));
    CompletableFuture<InsertOp.Result> other = writer.submit(new InsertOp(row(2), null));
    held.release();
    held.done().get(30, TimeUnit.SECONDS);

    assertThat(other.get(30, TimeUnit.SECONDS).messageId()).isEqualTo("id-2");
    assertThatThrownBy(() -> failing.get(30, TimeUnit.SECONDS)).cause().isSameAs(error);
    await().atMost(Duration.ofSeconds(10)).until(() -> !endedDuties.isEmpty());
    assertThat(endedDuties).containsExactly("group commit's completer");
    assertThat(dutyErrors).containsExactly(error);
    assertThat(seqs("true")).containsExactly(1L, 2L);
  }

  /**
   * An Error before the commit's round trip: the batch's callers hear that nothing was stored.
   * During it (the driver may have sent the COMMIT), that it may have been. Either way the life
   * cycle is told that the writer ended.
   */
  @ParameterizedTest(name = "an Error {0}")
  @CsvSource({
    "before the batch is applied, nothing was stored",
    "in the round trip of its COMMIT, may have been stored"
  })
  void anErrorBeforeTheCommitFailsItsBatchAndEndsTheWriter(String where, String answer)
      throws Exception {
    writer.submit(new InsertOp(row(1), null)).get(30, TimeUnit.SECONDS);
    TestError error = new TestError();
    if (where.startsWith("before")) {
      faults.failNext(Faults.Duty.WRITER); // its Error is the fault's own
    } else {
      failTheNextSendsWith.set(error);
    }

    CompletableFuture<InsertOp.Result> send = writer.submit(new InsertOp(row(2), null));

    assertThatThrownBy(() -> send.get(30, TimeUnit.SECONDS))
        .cause()
        .isInstanceOf(ApiException.class)
        .hasMessageContaining(answer)
        .extracting(e -> ((ApiException) e).code())
        .isEqualTo("SIBUS0207E");
    await().atMost(Duration.ofSeconds(10)).until(() -> !dutyErrors.isEmpty());
    assertThat(dutyErrors).singleElement().isInstanceOf(Error.class);
    assertThat(endedDuties).containsExactly("group-commit writer");
    assertThat(failTheNextSendsWith).hasNullValue();
    assertThat(seqs("true")).containsExactly(1L);
    assertThat(storeFailures).isEmpty();
  }

  /**
   * No thread can take a committed batch over (out of memory as the completer's thread starts, at
   * every hand-over): its callers are told on the writer's thread that it committed, and the writer
   * ends. Left to the completer, the send would wait for ever.
   */
  @Test
  void aCommittedBatchThatNoCompleterCanTakeIsToldOnTheWritersThread() throws Exception {
    faults.failNext(Faults.Duty.COMPLETER_START);

    assertThat(writer.submit(new InsertOp(row(1), null)).get(30, TimeUnit.SECONDS).messageId())
        .isEqualTo("id-1");
    await().atMost(Duration.ofSeconds(10)).until(() -> !dutyErrors.isEmpty());
    // The second hand-over's Error beside the first, rather than thrown out of the writer's thread
    assertThat(dutyErrors).singleElement().isInstanceOf(Error.class);
    assertThat(dutyErrors.get(0).getSuppressed()).singleElement().isInstanceOf(Error.class);
    assertThat(endedDuties).containsExactly("group-commit writer");
    assertThat(seqs("true")).containsExactly(1L);
  }

  /**
   * An Error while the connection goes back to its pool after the commit: the send is told it was
   * stored (it heard "nothing was stored", and its retry stored a second copy), and the writer
   * ends.
   */
  @Test
  void anErrorClosingTheConnectionAfterTheCommitTellsWhatCommitted() throws Exception {
    TestError error = new TestError();
    failTheNextCloseWithError.set(error);

    assertThat(writer.submit(new InsertOp(row(1), null)).get(30, TimeUnit.SECONDS).messageId())
        .isEqualTo("id-1");
    await().atMost(Duration.ofSeconds(10)).until(() -> !dutyErrors.isEmpty());
    assertThat(dutyErrors).containsExactly(error);
    assertThat(endedDuties).containsExactly("group-commit writer");
    assertThat(failTheNextCloseWithError).hasNullValue();
    assertThat(seqs("true")).containsExactly(1L);
    assertThat(recovered).isEmpty();
  }

  /**
   * A connection that fails to go back to its pool once its transaction committed: as a connection
   * lost at that moment (08006), which was answered "nothing was stored", or with another error
   * (55000), which was refused. Either answer is wrong for a stored message.
   */
  @ParameterizedTest(name = "closing fails with {0}")
  @ValueSource(strings = {"08006", "55000"})
  void aConnectionThatFailsToCloseAfterItsCommitDoesNotUndoTheCommit(String sqlState)
      throws Exception {
    long transactionsBefore = transactions();
    failTheNextCloseWith.set(sqlState);

    assertThat(writer.submit(new InsertOp(row(1), null)).get(30, TimeUnit.SECONDS).messageId())
        .isEqualTo("id-1");
    assertThat(failTheNextCloseWith).hasNullValue();
    assertThat(transactions()).isEqualTo(transactionsBefore + 1);
    assertThat(seqs("true")).containsExactly(1L);
    assertThat(recovered).singleElement().asString().contains("failed to close", sqlState);
    assertThat(storeFailures).isEmpty();

    // The writer goes on.
    writer.submit(new InsertOp(row(2), null)).get(30, TimeUnit.SECONDS);
    assertThat(seqs("true")).containsExactly(1L, 2L);
  }

  @Test
  void aHelperTakesOverWhileTheFirstWriterIsSlowOnABatch() throws Exception {
    GroupCommit two = writer(2);
    try {
      closeTheHelperGate(two);
      HeldTransaction slow = hold(two);

      CompletableFuture<InsertOp.Result> send = two.submit(new InsertOp(row(9_001), null));
      assertThat(send.get(30, TimeUnit.SECONDS).messageId()).isEqualTo("id-9001");
      slow.release();
      assertThat(slow.done().get(30, TimeUnit.SECONDS)).isEqualTo("sibus-writer-0");
    } finally {
      two.shutdown();
    }
  }

  @Test
  void theWriterCommitsTheNextBatchWhileTheCallersOfTheLastAreStillBeingTold() throws Exception {
    CountDownLatch told = new CountDownLatch(1);
    CompletableFuture<InsertOp.Result> first = committedUntold(1, told);

    // The one writer thread is not held by the first send's callback: the second commits.
    CompletableFuture<InsertOp.Result> second = writer.submit(new InsertOp(row(2), null));
    await().atMost(Duration.ofSeconds(30)).until(() -> seqs("true").contains(2L));
    assertThat(first).isNotDone();
    assertThat(second).isNotDone(); // callers are told in commit order

    assertThat(writer.drain(Duration.ofMillis(300))).isFalse(); // the callers are not told yet

    told.countDown();
    assertThat(second.get(30, TimeUnit.SECONDS).messageId()).isEqualTo("id-2");
    assertThat(first.get(30, TimeUnit.SECONDS).messageId()).isEqualTo("id-1");
    assertThat(writer.drain(Duration.ofSeconds(10))).isTrue();
  }

  /**
   * A drain that returns has every operation it accepted done, its callers told: none is between
   * the queue and a batch, taken by the writer and not yet counted.
   */
  @Test
  void aDrainReturnsOnceEveryAcceptedOperationIsDone() throws Exception {
    long seq = 0;
    for (int round = 0; round < 20; round++) {
      GroupCommit draining = round == 0 ? writer : writer(1);
      try {
        Queue<CompletableFuture<InsertOp.Result>> sends = new ConcurrentLinkedQueue<>();
        long first = seq + 1;
        Thread producer =
            new Thread(
                () -> {
                  for (long s = first; ; s++) {
                    CompletableFuture<InsertOp.Result> send =
                        draining.submit(new InsertOp(row(s), null));
                    sends.add(send);
                    if (send.isCompletedExceptionally()) {
                      return; // refused: the drain has begun
                    }
                    LockSupport.parkNanos(100_000); // a steady stream, not a flood to drain
                  }
                });
        producer.start();
        await().atMost(Duration.ofSeconds(30)).until(() -> sends.size() > 50);
        assertThat(draining.drain(Duration.ofSeconds(30))).isTrue();
        List<CompletableFuture<InsertOp.Result>> atDrain = List.copyOf(sends);
        producer.join();
        assertThat(atDrain).allMatch(CompletableFuture::isDone);
        seq = first + sends.size();
      } finally {
        if (draining != writer) {
          draining.shutdown();
        }
      }
    }
  }

  /**
   * A caller may cancel the future it was given (the HTTP framework does when its client goes
   * away): the operation still commits, and a drain still sees it done.
   */
  @Test
  void aDrainIsNotHeldByAnOperationWhoseCallerCancelledItsFuture() throws Exception {
    CountDownLatch told = new CountDownLatch(1);
    CompletableFuture<InsertOp.Result> future = committedUntold(1, told);
    future.cancel(true);
    told.countDown();
    assertThat(writer.drain(Duration.ofSeconds(10))).isTrue();
  }

  @Test
  void underLightLoadASecondWriterCommitsBesideATransactionInFlight() throws Exception {
    GroupCommit two = writer(2);
    try {
      HeldTransaction held = hold(two);

      CompletableFuture<InsertOp.Result> send = two.submit(new InsertOp(row(7), null));
      assertThat(send.get(30, TimeUnit.SECONDS).messageId()).isEqualTo("id-7");
      assertThat(held.done()).isNotDone();
      held.release();
      assertThat(held.done().get(30, TimeUnit.SECONDS)).startsWith("sibus-writer-");
    } finally {
      two.shutdown();
    }
  }

  @Test
  void underHeavyLoadOnlyTheFirstWriterCommits() throws Exception {
    GroupCommit two = writer(2);
    try {
      closeTheHelperGate(two);
      Set<String> writers = new HashSet<>();
      for (int i = 0; i < 5; i++) {
        writers.add(
            two.submit(new TxOp<>(c -> Thread.currentThread().getName()))
                .get(30, TimeUnit.SECONDS));
      }
      assertThat(writers).containsExactly("sibus-writer-0");
    } finally {
      two.shutdown();
    }
  }

  /** A transaction in flight on one of {@code writer}'s threads, until it is released. */
  private record HeldTransaction(CompletableFuture<String> done, CountDownLatch latch) {
    void release() {
      latch.countDown();
    }
  }

  /** Holds a writer thread in a transaction; completes with the thread's name once released. */
  private static HeldTransaction hold(GroupCommit writer) throws InterruptedException {
    CountDownLatch open = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    CompletableFuture<String> done =
        writer.submit(
            new TxOp<>(
                c -> {
                  open.countDown();
                  awaitQuietly(release);
                  return Thread.currentThread().getName();
                }));
    assertThat(open.await(30, TimeUnit.SECONDS)).isTrue();
    return new HeldTransaction(done, release);
  }

  /** A burst in batches of 100: the first writer's batches are large, so the helper stays out. */
  private void closeTheHelperGate(GroupCommit two) throws Exception {
    List<CompletableFuture<?>> burst = new ArrayList<>();
    for (long seq = 1; seq <= 2_000; seq++) {
      burst.add(two.submit(new InsertOp(row(seq), null)));
    }
    CompletableFuture.allOf(burst.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
    // A helper that was waiting for work when the burst ended waits out its poll (200 ms) before
    // it looks at the gate again.
    Thread.sleep(500);
  }

  /**
   * Sends message {@code seq} and returns once it is committed, its caller not told until {@code
   * told}.
   */
  private CompletableFuture<InsertOp.Result> committedUntold(long seq, CountDownLatch told) {
    InsertOp send = new InsertOp(row(seq), null);
    send.afterCommit(() -> awaitQuietly(told));
    CompletableFuture<InsertOp.Result> future = writer.submit(send);
    await().atMost(Duration.ofSeconds(30)).until(() -> seqs("true").contains(seq));
    return future;
  }

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await(60, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private long transactions() {
    return registry.get("sibus.group.commit.batch.size").summary().count();
  }

  /** Its failed epoch check alone tells it so, when the fence run afterwards cannot run. */
  @ParameterizedTest(name = "the fence after the commit fails: {0}")
  @ValueSource(booleans = {false, true})
  void aMemberThatLostTheStoreCommitsNothingThoughItsCommitTravelsWithItsWrites(boolean fenceFails)
      throws Exception {
    try (Connection c = postgres.connect()) {
      ownership.activate(c, "m1", "http://m1");
    }
    failTheNextFence.set(fenceFails);

    CompletableFuture<InsertOp.Result> send = writer.submit(new InsertOp(row(600), null));
    assertThatThrownBy(() -> send.get(30, TimeUnit.SECONDS))
        .hasCauseInstanceOf(ApiException.class)
        .cause()
        .hasMessageContaining("no longer the active member");
    assertThat(failTheNextFence).isFalse();
    assertLostTheStore();
    assertThat(seqs("true")).isEmpty();
  }

  @Test
  void aMemberWhoseWriteCollidesWithTheNewActiveMembersIsToldItLostTheStore() throws Exception {
    // Another member takes the store over and stores message 500 before this one does.
    try (Connection c = postgres.connect()) {
      long epoch = ownership.activate(c, "m1", "http://m1").epoch();
      c.setAutoCommit(false);
      ownership.fence(c, epoch);
      store.insert(c, List.of(row(500)));
      c.commit();
    }

    // The duplicate key fails the transaction before its commit checks the epoch; the writer still
    // reports the lost epoch (a local error that stops the member), not a refused operation.
    CompletableFuture<InsertOp.Result> send = writer.submit(new InsertOp(row(500), null));
    assertThatThrownBy(() -> send.get(30, TimeUnit.SECONDS))
        .hasCauseInstanceOf(ApiException.class)
        .cause()
        .hasMessageContaining("no longer the active member");
    assertLostTheStore();
  }

  /**
   * Work that reads before the commit runs only after the whole fence: a member that lost the store
   * learns it before the work acts on what the new active member stored.
   */
  @Test
  void aMemberThatLostTheStoreRunsNoWorkThatReadsBeforeItsCommit() throws Exception {
    try (Connection c = postgres.connect()) {
      ownership.activate(c, "m1", "http://m1");
    }

    AtomicBoolean ran = new AtomicBoolean();
    CompletableFuture<Boolean> work =
        writer.submit(new TxOp<>(connection -> ran.compareAndSet(false, true)));
    assertThatThrownBy(() -> work.get(30, TimeUnit.SECONDS))
        .hasCauseInstanceOf(ApiException.class)
        .cause()
        .hasMessageContaining("no longer the active member");
    assertLostTheStore();
    assertThat(ran).isFalse();

    CompletableFuture<InsertOp.Result> keyed = writer.submit(new InsertOp(row(700), "key-700"));
    assertThatThrownBy(() -> keyed.get(30, TimeUnit.SECONDS))
        .hasCauseInstanceOf(ApiException.class);
    assertThat(seqs("true")).isEmpty();
  }

  private void assertLostTheStore() {
    assertStoreFailed("SIBUS0052E");
  }

  /**
   * The writer fails the batch's operations before it reports the store failure, on its own thread:
   * the report may come a moment after the failed operation.
   */
  private void assertStoreFailed(String code) {
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> assertThat(storeFailures).extracting(StoreException::code).containsExactly(code));
  }

  private static MessageRow row(long seq) {
    return MessageRow.create(
        seq,
        "id-" + seq,
        "orders",
        4,
        Reliability.ASSURED_PERSISTENT,
        null,
        null,
        "{}",
        new byte[1024],
        System.currentTimeMillis(),
        0);
  }

  private List<Long> seqs(String condition) throws SQLException {
    List<Long> seqs = new ArrayList<>();
    try (Connection c = postgres.connect();
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT seq FROM it_group_commit.sibus_message WHERE "
                    + condition
                    + " ORDER BY seq")) {
      while (rs.next()) {
        seqs.add(rs.getLong(1));
      }
    }
    return seqs;
  }

  /**
   * The database, counting the statements prepared and the commits made through it. Its connections
   * are kept open between transactions, as the engine's pool keeps them: opening one takes
   * milliseconds, which the helper gate would count as a slow batch of the first writer.
   */
  private DataSource counting() {
    PGSimpleDataSource database = new PGSimpleDataSource();
    database.setURL(postgres.jdbcUrl());
    database.setUser(LocalPostgres.USER);
    return (DataSource)
        Proxy.newProxyInstance(
            DataSource.class.getClassLoader(),
            new Class<?>[] {DataSource.class},
            (proxy, method, args) ->
                method.getName().equals("getConnection")
                    ? counting(idleOrNew(database))
                    : invoke(database, method, args));
  }

  private Connection idleOrNew(PGSimpleDataSource database) throws SQLException {
    Connection kept = idle.poll();
    return kept != null && !kept.isClosed() ? kept : database.getConnection();
  }

  private Connection counting(Connection c) {
    return (Connection)
        Proxy.newProxyInstance(
            Connection.class.getClassLoader(),
            new Class<?>[] {Connection.class},
            (proxy, method, args) -> {
              if (method.getName().startsWith("prepare")
                  || method.getName().equals("createStatement")) {
                statements.incrementAndGet();
                String sql = method.getName().equals("prepareStatement") ? (String) args[0] : "";
                if (sql.contains("delivery_count = m.delivery_count + 1")) {
                  Throwable failure = failTheNextLocksReadWith.getAndSet(null);
                  if (failure != null) {
                    return failingToHandOverRows(
                        (PreparedStatement) invoke(c, method, args), failure);
                  }
                }
                String lostAt = loseTheConnectionAt.get();
                if (lostAt != null
                    && sql.contains(lostAt)
                    && loseTheConnectionAt.compareAndSet(lostAt, null)) {
                  throw new SQLException(
                      "An I/O error occurred while sending to the backend (a test's fault)",
                      "08006");
                }
                if (sql.contains("INSERT INTO \"it_group_commit\".\"sibus_message\" (seq")) {
                  Error failure = failTheNextSendsWith.getAndSet(null);
                  if (failure != null) {
                    throw failure;
                  }
                }
                if (method.getName().equals("prepareStatement")
                    && ((String) args[0]).startsWith("SET TRANSACTION")
                    && failTheNextFence.compareAndSet(true, false)) {
                  throw new SQLException("canceling statement due to statement timeout", "57014");
                }
              } else if (method.getName().equals("commit")) {
                commitCalls.incrementAndGet();
              } else if (method.getName().equals("close")) {
                c.setAutoCommit(true);
                idle.add(c);
                Error error = failTheNextCloseWithError.getAndSet(null);
                if (error != null) {
                  throw error;
                }
                String failure = failTheNextCloseWith.getAndSet(null);
                if (failure != null) {
                  throw new SQLException(
                      "the connection could not be closed (a test's fault)", failure);
                }
                return null;
              }
              return invoke(c, method, args);
            });
  }

  /** A statement that runs, but whose result sets the driver fails to hand over. */
  private static PreparedStatement failingToHandOverRows(PreparedStatement ps, Throwable failure) {
    return (PreparedStatement)
        Proxy.newProxyInstance(
            PreparedStatement.class.getClassLoader(),
            new Class<?>[] {PreparedStatement.class},
            (proxy, method, args) -> {
              if (method.getName().equals("getResultSet")) {
                throw failure;
              }
              return invoke(ps, method, args);
            });
  }

  private static Object invoke(Object target, java.lang.reflect.Method method, Object[] args)
      throws Throwable {
    try {
      return method.invoke(target, args);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }

  /** An {@link Error} such as running out of memory, thrown by a test. */
  private static final class TestError extends Error {
    TestError() {
      super("an Error (a test's fault)");
    }
  }

  private final class RecordingFailures implements StoreFailures {
    @Override
    public void connectionLost(SQLException cause) {}

    @Override
    public void storeFailed(StoreException cause) {
      storeFailures.add(cause);
    }

    @Override
    public void dutyEnded(String duty, Throwable cause) {
      endedDuties.add(duty);
      dutyErrors.add(cause);
    }

    @Override
    public void recovered(String what) {
      recovered.add(what);
    }
  }
}
