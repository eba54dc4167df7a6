package io.sibus.datastore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sibus.local.LocalPostgres;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLWarning;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The data store against a real PostgreSQL: verification, ownership, the epoch fence, locks. */
class DataStoreIT {
  static LocalPostgres postgres;
  final SchemaName schema = new SchemaName("it_store");
  final EngineIdentity me1 = new EngineIdentity("bus", "me1");
  final Ownership ownership = new Ownership(schema, me1);
  final MessageStore store = new MessageStore(schema);

  @BeforeAll
  static void start() {
    postgres = LocalPostgres.start(Path.of("target", "it-pg"));
  }

  @AfterAll
  static void stop() {
    postgres.close();
  }

  @BeforeEach
  void clean() throws SQLException {
    execute("DROP SCHEMA IF EXISTS it_store CASCADE");
  }

  /** Creates the store on {@code c} and makes member "a" of me1 its owner; returns the epoch. */
  private long activeStore(Connection c) throws SQLException {
    StoreVerifier.create(c, schema);
    return ownership.activate(c, "a", "u").epoch();
  }

  @Test
  void verificationTellsAbsentFromPresentFromAltered() throws SQLException {
    try (Connection c = postgres.connect()) {
      assertThat(StoreVerifier.verify(c, schema)).isEqualTo(StoreVerifier.Result.ABSENT);
      StoreVerifier.create(c, schema);
      assertThat(StoreVerifier.verify(c, schema)).isEqualTo(StoreVerifier.Result.PRESENT);
      execute("ALTER TABLE it_store.sibus_message ALTER COLUMN priority TYPE integer");
      execute("DROP TABLE it_store.sibus_idempotency");
      assertThatThrownBy(() -> StoreVerifier.verify(c, schema))
          .isInstanceOfSatisfying(
              StoreException.class,
              e -> {
                assertThat(e.errorClass()).isEqualTo(ErrorClass.GLOBAL);
                assertThat(e.code()).isEqualTo("SIBUS1537E");
                assertThat(e.getMessage())
                    .contains("table sibus_idempotency is missing")
                    .contains("sibus_message.priority has type integer instead of smallint");
              });
    }
  }

  @Test
  void theStoreBelongsToTheEngineThatTookItFirst() throws SQLException {
    try (Connection c = postgres.connect()) {
      StoreVerifier.create(c, schema);
      Activation first = new Ownership(schema, me1).activate(c, "m0", "http://m0");
      assertThat(first.epoch()).isEqualTo(1);
      assertThat(first.newStore()).isTrue();
      Activation second = new Ownership(schema, me1).activate(c, "m1", "http://m1");
      assertThat(second.epoch()).isEqualTo(2);
      assertThat(second.incarnation()).isNotEqualTo(first.incarnation());
      assertThatThrownBy(
              () -> new Ownership(schema, new EngineIdentity("bus", "me2")).activate(c, "x", "y"))
          .isInstanceOfSatisfying(
              StoreException.class,
              e -> {
                assertThat(e.code()).isEqualTo("SIBUS1535E");
                assertThat(e.errorClass()).isEqualTo(ErrorClass.GLOBAL);
                assertThat(e.getMessage()).contains("messaging engine me1 of bus bus");
              });
    }
  }

  @Test
  void tablesWithDataButNoOwnerAreNotReused() throws SQLException {
    try (Connection c = postgres.connect()) {
      StoreVerifier.create(c, schema);
      execute("INSERT INTO it_store.sibus_idempotency VALUES ('q', 'k', 'id', now())");
      assertThatThrownBy(() -> new Ownership(schema, me1).activate(c, "m0", "u"))
          .isInstanceOfSatisfying(
              StoreException.class, e -> assertThat(e.code()).isEqualTo("SIBUS1535E"));
    }
  }

  @Test
  void aMemberThatLostTheEpochCanNeverCommit() throws Exception {
    try (Connection a = postgres.connect();
        Connection b = postgres.connect()) {
      long epochA = activeStore(a);

      // A is in the middle of a fenced write when B takes over: B waits for it.
      a.setAutoCommit(false);
      ownership.fence(a, epochA);
      store.insert(a, List.of(row(1)));
      CompletableFuture<Activation> takeover =
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  return ownership.activate(b, "b", "u");
                } catch (SQLException e) {
                  throw new IllegalStateException(e);
                }
              });
      Thread.sleep(300);
      assertThat(takeover).isNotDone();
      a.commit();
      assertThat(takeover.get(10, TimeUnit.SECONDS).epoch()).isEqualTo(epochA + 1);

      // Every later write of A fails the fence, with a local error.
      assertThatThrownBy(() -> ownership.fence(a, epochA))
          .isInstanceOfSatisfying(
              StoreException.class,
              e -> {
                assertThat(e.errorClass()).isEqualTo(ErrorClass.LOCAL);
                assertThat(e.code()).isEqualTo("SIBUS0052E");
              });
      a.rollback();
      try (Statement s = b.createStatement();
          var rs = s.executeQuery("SELECT count(*) FROM it_store.sibus_message")) {
        rs.next();
        assertThat(rs.getInt(1)).isEqualTo(1); // A's write before the takeover, and nothing after
      }
    }
  }

  /**
   * A database or role whose transactions default to REPEATABLE READ takes a transaction's snapshot
   * at its first statement: before the fence's shared lock is granted, so a transaction that waited
   * for a takeover would read the old epoch and commit after it.
   */
  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"fence first", "fenced at the commit alone"})
  void aFenceThatWaitedForATakeoverSeesItWhateverTheDefaultIsolation(String form) throws Exception {
    try (Connection a = postgres.connect();
        Connection b = postgres.connect()) {
      long epochA = activeStore(a);
      int pidA;
      try (Statement s = a.createStatement()) {
        s.execute("SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL REPEATABLE READ");
        try (ResultSet rs = s.executeQuery("SELECT pg_backend_pid()")) {
          rs.next();
          pidA = rs.getInt(1);
        }
      }

      // B is taking over: it holds the fence's lock exclusively and has moved the epoch on.
      b.setAutoCommit(false);
      try (PreparedStatement ps = b.prepareStatement(StoreSql.FENCE_EXCLUSIVE)) {
        ps.setInt(1, me1.fenceKey()[0]);
        ps.setInt(2, me1.fenceKey()[1]);
        ps.executeQuery().close();
      }
      try (Statement s = b.createStatement()) {
        s.executeUpdate("UPDATE it_store.sibus_owner SET epoch = epoch + 1 WHERE id = 1");
      }

      // A starts a fenced write meanwhile: its fence (at the start or at the commit) waits for B.
      a.setAutoCommit(false);
      CompletableFuture<Void> write =
          CompletableFuture.runAsync(
              () -> {
                try {
                  StatementPipeline pipeline =
                      form.equals("fence first")
                          ? new StatementPipeline().add(ownership.fenceStep(epochA))
                          : ownership.fencedPipeline(epochA);
                  store.insert(pipeline, List.of(row(1)));
                  pipeline.commit(a, ownership.fencedCommitStep(epochA));
                } catch (SQLException e) {
                  throw new IllegalStateException(e);
                }
              });
      awaitAdvisoryLockWait(b, pidA);
      assertThat(write).isNotDone();
      b.commit();

      // The commit's epoch check fails the round trip; the writer's next fence says why.
      assertThatThrownBy(() -> write.get(10, TimeUnit.SECONDS))
          .rootCause()
          .isInstanceOfSatisfying(
              SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("22012"));
      a.rollback();
      assertLostTheStore(() -> ownership.fence(a, epochA));
      a.rollback();
      try (Statement s = b.createStatement();
          var rs = s.executeQuery("SELECT count(*) FROM it_store.sibus_message")) {
        rs.next();
        assertThat(rs.getInt(1)).isZero();
      }
    }
  }

  /** Waits until the backend {@code pid} waits for an advisory lock (the fence's, held by B). */
  private static void awaitAdvisoryLockWait(Connection observer, int pid) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    try (PreparedStatement ps =
        observer.prepareStatement(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND pid = ?")) {
      ps.setInt(1, pid);
      while (true) {
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          if (rs.getInt(1) > 0) {
            return;
          }
        }
        assertThat(System.nanoTime()).as("the fence waits for the takeover").isLessThan(deadline);
        Thread.sleep(20);
      }
    }
  }

  @Test
  void aTransactionsFenceWritesAndCommitTravelAsOneStatementAndRowsComeBackAsSent()
      throws SQLException {
    try (Connection c = postgres.connect()) {
      long epoch = activeStore(c);
      c.setAutoCommit(false);
      ownership.fence(c, epoch);
      store.insert(c, List.of(row(3)));
      c.commit();

      byte[] body = new byte[2048];
      new Random(7).nextBytes(body);
      MessageRow plain = row(1);
      MessageRow full =
          MessageRow.create(
              2,
              "id-2",
              "orders",
              9,
              Reliability.RELIABLE_PERSISTENT,
              "text/plain",
              "corr-2-\u00fc", // text beyond ASCII comes back as it was sent
              "{\"k\":\"v\u00e9 \u2713\"}",
              body,
              1_765_000_000_123L,
              1_765_000_060_456L);
      AtomicInteger statements = new AtomicInteger();
      List<MessageRow> locked = new ArrayList<>();
      StatementPipeline pipeline = new StatementPipeline().add(ownership.fenceStep(epoch));
      store.insert(pipeline, List.of(plain, full));
      store.lockForDelivery(
          pipeline,
          List.of(
              new DeliveryLock(1, UUID.randomUUID(), System.currentTimeMillis() + 60_000),
              new DeliveryLock(2, UUID.randomUUID(), System.currentTimeMillis() + 60_000)),
          rows -> locked.addAll(rows.rows()));
      store.delete(pipeline, new long[] {3});
      store.unlock(pipeline, new long[] {1});
      pipeline.add(ownership.fencedCommitStep(epoch));
      pipeline.flush(counting(c, statements));

      assertThat(statements).hasValue(1);
      assertThat(locked)
          .usingRecursiveFieldByFieldElementComparatorIgnoringFields("deliveryCount")
          .containsExactlyInAnyOrder(plain, full);
      assertThat(locked).extracting(MessageRow::deliveryCount).containsOnly(1);
      assertThat(lockedSeqs()).containsExactly(2L); // 1 was locked, then unlocked
      assertThat(count("sibus_message")).isEqualTo(2); // 3 deleted

      // A pipeline whose fence finds the epoch moved fails before its commit: nothing is written.
      try (Connection b = postgres.connect()) {
        ownership.activate(b, "b", "u");
      }
      StatementPipeline late = new StatementPipeline().add(ownership.fenceStep(epoch));
      store.insert(late, List.of(row(4)));
      assertLostTheStore(() -> late.flush(c));
      c.rollback();
      // With the commit in the same round trip, the commit's own epoch check aborts it.
      StatementPipeline committing = new StatementPipeline().add(ownership.fenceStep(epoch));
      store.insert(committing, List.of(row(5)));
      committing.add(ownership.fencedCommitStep(epoch));
      assertEpochCheckFails(() -> committing.flush(c));
      c.rollback();
      assertThat(count("sibus_message")).isEqualTo(2);
    }
  }

  /**
   * A transaction whose statements all travel with its commit proves its epoch at the commit alone;
   * one that reads a result first runs the whole fence before that read.
   */
  @Test
  void aFencedPipelineFencesAtTheCommitOrBeforeTheFirstRead() throws SQLException {
    try (Connection c = postgres.connect()) {
      long epoch = activeStore(c);
      c.setAutoCommit(false);

      List<String> sent = new ArrayList<>();
      StatementPipeline withTheCommit = ownership.fencedPipeline(epoch);
      store.insert(withTheCommit, List.of(row(1)));
      List<Boolean> autoCommitWhenSent = new ArrayList<>();
      withTheCommit.commit(
          watching(
              c,
              sql -> {
                sent.add(sql);
                autoCommitWhenSent.add(autoCommit(c));
              }),
          ownership.fencedCommitStep(epoch));
      assertThat(sent).hasSize(1);
      assertThat(sent.get(0)).startsWith("BEGIN ISOLATION LEVEL READ COMMITTED; INSERT");
      // Sent with autocommit on: the driver adds no BEGIN of its own, which the server would answer
      // at once.
      assertThat(autoCommitWhenSent).containsExactly(true);
      assertThat(occurrences(sent.get(0), "pg_advisory_xact_lock_shared")).isOne();
      assertThat(count("sibus_message")).isOne();
      assertThat(c.getAutoCommit()).isFalse(); // as the caller set it

      sent.clear();
      StatementPipeline readingFirst = ownership.fencedPipeline(epoch);
      readingFirst.flush(recording(c, sent)); // as before an idempotency claim
      store.insert(readingFirst, List.of(row(2)));
      readingFirst.commit(recording(c, sent), ownership.fencedCommitStep(epoch));
      assertThat(sent).hasSize(2);
      assertThat(sent.get(0))
          .startsWith("SET TRANSACTION ISOLATION LEVEL READ COMMITTED; SELECT pg_advisory");
      assertThat(sent.get(1)).startsWith("INSERT");
      assertThat(count("sibus_message")).isEqualTo(2);

      // After a takeover, a commit-only transaction's commit fails and one that reads fails first.
      try (Connection b = postgres.connect()) {
        ownership.activate(b, "b", "u");
      }
      StatementPipeline late = ownership.fencedPipeline(epoch);
      store.insert(late, List.of(row(3)));
      assertEpochCheckFails(() -> late.commit(c, ownership.fencedCommitStep(epoch)));
      // The pipeline began that transaction, and rolled it back: the connection goes on as it was.
      assertThat(c.getAutoCommit()).isFalse();
      try (Statement s = c.createStatement();
          var rs = s.executeQuery("SELECT 1")) {
        assertThat(rs.next()).isTrue();
      }
      c.rollback();
      StatementPipeline lateReading = ownership.fencedPipeline(epoch);
      assertLostTheStore(() -> lateReading.flush(c));
      c.rollback();
      assertThat(count("sibus_message")).isEqualTo(2);
    }
  }

  /**
   * A fenced transaction that travels whole with its commit begins itself; on a connection whose
   * transaction is already open it would commit that work unfenced, so it refuses to run.
   */
  @Test
  void aWholeTransactionPipelineRefusesAConnectionWithATransactionOpen() throws SQLException {
    try (Connection c = postgres.connect()) {
      long epoch = activeStore(c);
      c.setAutoCommit(false);
      try (Statement s = c.createStatement()) {
        s.executeUpdate("DELETE FROM it_store.sibus_owner"); // work outside any pipeline
      }
      StatementPipeline pipeline = ownership.fencedPipeline(epoch);
      store.insert(pipeline, List.of(row(1)));
      assertThatThrownBy(() -> pipeline.commit(c, ownership.fencedCommitStep(epoch)))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("already open");
      c.rollback();
      assertThat(count("sibus_owner")).isOne();
      assertThat(count("sibus_message")).isZero();
    }
  }

  /**
   * A result that fails to read once the commit has gone through does not fail the transaction: it
   * is committed, and the caller must not run its work again. Before the commit, the failure is the
   * transaction's, which the caller rolls back.
   */
  @Test
  void aResultThatFailsToReadAfterTheCommitIsToldApartFromAFailedTransaction() throws SQLException {
    try (Connection c = postgres.connect()) {
      long epoch = activeStore(c);
      c.setAutoCommit(false);

      StatementPipeline whole = ownership.fencedPipeline(epoch);
      store.insert(whole, List.of(row(1)));
      whole.add(failingToRead());
      assertReadFailedAfterCommit(() -> whole.commit(c, ownership.fencedCommitStep(epoch)));
      assertThat(count("sibus_message")).isOne();
      assertThat(c.getAutoCommit()).isFalse(); // as the caller set it

      StatementPipeline readingFirst = ownership.fencedPipeline(epoch);
      readingFirst.flush(c);
      store.insert(readingFirst, List.of(row(2)));
      readingFirst.add(failingToRead());
      assertReadFailedAfterCommit(() -> readingFirst.commit(c, ownership.fencedCommitStep(epoch)));
      assertThat(count("sibus_message")).isEqualTo(2);

      StatementPipeline beforeTheCommit = ownership.fencedPipeline(epoch);
      store.insert(beforeTheCommit, List.of(row(3)));
      beforeTheCommit.add(failingToRead());
      assertThatThrownBy(() -> beforeTheCommit.flush(c)).isInstanceOf(IllegalStateException.class);
      c.rollback();
      assertThat(count("sibus_message")).isEqualTo(2);
    }
  }

  private static StatementPipeline.Step failingToRead() {
    return new StatementPipeline.Step() {
      @Override
      public String sql() {
        return "SELECT 1";
      }

      @Override
      public int bind(Connection c, PreparedStatement ps, int first) {
        return first;
      }

      @Override
      public void read(PreparedStatement ps) {
        throw new IllegalStateException("a defect in reading a result");
      }
    };
  }

  private static void assertReadFailedAfterCommit(ThrowingCallable commit) {
    assertThatThrownBy(commit)
        .isInstanceOf(ReadAfterCommitException.class)
        .hasCauseInstanceOf(IllegalStateException.class);
  }

  /** The fenced commit's epoch check failed: its round trip ended in a division by zero. */
  private static void assertEpochCheckFails(ThrowingCallable work) {
    assertThatThrownBy(work)
        .isInstanceOfSatisfying(
            SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("22012"));
  }

  /** The fence found the epoch moved on: this member lost the store. */
  private static void assertLostTheStore(ThrowingCallable work) {
    assertThatThrownBy(work)
        .isInstanceOfSatisfying(
            StoreException.class, e -> assertThat(e.code()).isEqualTo("SIBUS0052E"));
  }

  private static boolean autoCommit(Connection c) {
    try {
      return c.getAutoCommit();
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  private static int occurrences(String text, String part) {
    return text.split(Pattern.quote(part), -1).length - 1;
  }

  @Test
  void largeBodiesAreInsertedByStatementsOfTheirOwnInTheSameRoundTrip() throws SQLException {
    try (Connection c = postgres.connect()) {
      long epoch = activeStore(c);
      c.setAutoCommit(false);
      byte[] body = new byte[5 << 20];
      new Random(3).nextBytes(body);
      List<MessageRow> rows =
          List.of(1L, 2L).stream()
              .map(
                  seq ->
                      MessageRow.create(
                          seq,
                          "big-" + seq,
                          "orders",
                          4,
                          Reliability.ASSURED_PERSISTENT,
                          null,
                          null,
                          "{}",
                          body,
                          System.currentTimeMillis(),
                          0))
              .toList();
      AtomicInteger statements = new AtomicInteger();
      StatementPipeline pipeline = new StatementPipeline().add(ownership.fenceStep(epoch));
      store.insert(pipeline, rows);
      pipeline.commit(counting(c, statements), ownership.fencedCommitStep(epoch));

      assertThat(statements).hasValue(1);
      try (Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("SELECT body FROM it_store.sibus_message ORDER BY seq")) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getBytes(1)).isEqualTo(body);
        assertThat(rs.next()).isTrue();
        assertThat(rs.getBytes(1)).isEqualTo(body);
        assertThat(rs.next()).isFalse();
      }
    }
  }

  /** {@code c}, counting the statements prepared or created through it. */
  private static Connection counting(Connection c, AtomicInteger statements) {
    return watching(c, sql -> statements.incrementAndGet());
  }

  /** {@code c}, adding the SQL of each statement prepared through it to {@code sent}. */
  private static Connection recording(Connection c, List<String> sent) {
    return watching(c, sent::add);
  }

  /** {@code c}, telling {@code prepared} the SQL (or null) of each statement made through it. */
  private static Connection watching(Connection c, Consumer<String> prepared) {
    return (Connection)
        Proxy.newProxyInstance(
            Connection.class.getClassLoader(),
            new Class<?>[] {Connection.class},
            (proxy, method, args) -> {
              if (method.getName().startsWith("prepare")
                  || method.getName().equals("createStatement")) {
                prepared.accept(
                    args != null && args.length > 0 && args[0] instanceof String sql ? sql : null);
              }
              try {
                return method.invoke(c, args);
              } catch (InvocationTargetException e) {
                throw e.getCause();
              }
            });
  }

  @Test
  void aDeliveryLockRewritesItsRowOnTheRowsOwnPage() throws SQLException {
    try (Connection c = postgres.connect()) {
      long epoch = activeStore(c);
      List<MessageRow> rows = new ArrayList<>();
      List<DeliveryLock> locks = new ArrayList<>();
      for (long seq = 1; seq <= 40; seq++) {
        rows.add(row(seq, new byte[1024]));
        locks.add(new DeliveryLock(seq, UUID.randomUUID(), System.currentTimeMillis() + 60_000));
      }
      c.setAutoCommit(false);
      store.insert(c, rows);
      c.commit();
      Map<Long, Long> pagesBefore = pagesOfRows(c);

      StatementPipeline pipeline = new StatementPipeline().add(ownership.fenceStep(epoch));
      store.lockForDelivery(pipeline, locks, locked -> {});
      pipeline.add(ownership.fencedCommitStep(epoch));
      pipeline.flush(c);

      // Each lock wrote its row's new version on the same page, without new index entries: a
      // heap-only update. On full pages (fillfactor 100) most of these rows moved to other pages.
      assertThat(pagesOfRows(c)).isEqualTo(pagesBefore);
      try (Statement s = c.createStatement()) {
        s.execute("SELECT pg_stat_force_next_flush()"); // when this transaction ends
      }
      c.commit();
      try (Statement s = c.createStatement();
          ResultSet rs =
              s.executeQuery(
                  "SELECT n_tup_upd, n_tup_hot_upd FROM pg_stat_user_tables"
                      + " WHERE relid = 'it_store.sibus_message'::regclass")) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getLong(1)).isEqualTo(40);
        assertThat(rs.getLong(2)).isEqualTo(40);
      }
      c.rollback();
    }
  }

  @Test
  void storageOptionsGiveUpBehindAnotherHolderOfTheTable() throws SQLException {
    TableUpkeep upkeep = new TableUpkeep(schema);
    try (Connection c = postgres.connect();
        Connection holder = postgres.connect()) {
      StoreVerifier.create(c, schema);
      execute("ALTER TABLE it_store.sibus_message RESET (fillfactor)");
      holder.setAutoCommit(false);
      try (Statement s = holder.createStatement()) {
        s.execute("LOCK TABLE it_store.sibus_message IN SHARE UPDATE EXCLUSIVE MODE"); // a VACUUM's
      }
      assertThatThrownBy(() -> upkeep.setStorageOptions(c, StoreTables.MESSAGE))
          .isInstanceOfSatisfying(
              SQLException.class,
              e -> assertThat(e.getSQLState()).isEqualTo(TableUpkeep.LOCK_NOT_AVAILABLE));
      assertThat(c.getAutoCommit()).isTrue();
      holder.rollback();
      upkeep.setStorageOptions(c, StoreTables.MESSAGE);
      assertThat(upkeep.hasStorageOptions(c, StoreTables.MESSAGE)).isTrue();
    }
  }

  /** The page of every message row (the block of its ctid), by seq. */
  private static Map<Long, Long> pagesOfRows(Connection c) throws SQLException {
    Map<Long, Long> pages = new HashMap<>();
    try (Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT seq, (ctid::text::point)[0]::bigint FROM it_store.sibus_message")) {
      while (rs.next()) {
        pages.put(rs.getLong(1), rs.getLong(2));
      }
    }
    c.commit();
    return pages;
  }

  private static long count(String table) throws SQLException {
    try (Connection c = postgres.connect();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT count(*) FROM it_store." + table)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private static List<Long> lockedSeqs() throws SQLException {
    List<Long> seqs = new ArrayList<>();
    try (Connection c = postgres.connect();
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT seq FROM it_store.sibus_message WHERE receipt IS NOT NULL ORDER BY seq")) {
      while (rs.next()) {
        seqs.add(rs.getLong(1));
      }
    }
    return seqs;
  }

  @Test
  void aRecordedGlobalErrorHoldsBackEveryActivationUntilCleared() throws SQLException {
    try (Connection c = postgres.connect()) {
      StoreVerifier.create(c, schema);
      ownership.activate(c, "m0", "u");
      ownership.suppressFailover(c, "SIBUS1539E", "corrupted");
      assertThat(ownership.read(c).orElseThrow().failoverSuppressed()).isTrue();
      assertThatThrownBy(() -> ownership.activate(c, "m1", "u"))
          .isInstanceOf(FailoverSuppressedException.class)
          .hasMessageContaining("SIBUS1539E");
      ownership.clearSuppression(c);
      assertThat(ownership.activate(c, "m1", "u").epoch()).isEqualTo(2);
    }
  }

  @Test
  void oneSessionAtATimeHoldsTheLockAndADeadOrHungHolderLosesIt() throws Exception {
    try (Connection c = postgres.connect()) {
      StoreVerifier.create(c, schema);
    }
    LockSession first = open("first");
    LockSession second = open("second");
    try {
      assertThat(first.tryLock()).isTrue();
      assertThat(second.tryLock()).isFalse();
      first.close(); // as when the member is killed: the session ends
      assertThat(second.tryLock()).isTrue();

      second.heartbeat("second");
      LockSession third = open("third");
      assertThat(third.tryLock()).isFalse();
      assertThat(third.evictHungHolder(60_000)).isEmpty(); // fresh heartbeat: not hung
      Thread.sleep(300);
      assertThat(third.evictHungHolder(100))
          .hasValueSatisfying(h -> assertThat(h).contains("second"));
      Thread.sleep(200);
      assertThat(third.tryLock()).isTrue();
      assertThatThrownBy(() -> second.heartbeat("second")).isInstanceOf(SQLException.class);
      third.close();
    } finally {
      second.close();
    }
  }

  @Test
  void idempotencyKeysAreClaimedOncePerDestination() throws SQLException {
    try (Connection c = postgres.connect()) {
      StoreVerifier.create(c, schema);
      IdempotencyClaim k1 = new IdempotencyClaim("orders", "k1", "id-1");
      assertThat(store.claim(c, List.of(k1))).isEmpty();
      IdempotencyClaim again = new IdempotencyClaim("orders", "k1", "id-2");
      IdempotencyClaim otherQueue = new IdempotencyClaim("events", "k1", "id-3");
      Map<IdempotencyClaim, String> duplicates = store.claim(c, List.of(again, otherQueue));
      assertThat(duplicates).containsExactly(Map.entry(again, "id-1"));
    }
  }

  @Test
  void aStreamNumbersItsMessagesWhenItSendsThemAndARestartAfterRestoreRenumbersWhatIsLeft()
      throws SQLException {
    try (Connection c = postgres.connect()) {
      StoreVerifier.create(c, schema);
      StreamStore streams = new StreamStore(schema);
      streams.transmit(c, "me2", Reliability.ASSURED_PERSISTENT, List.of(row(1), row(2)));
      streams.transmit(c, "me2", Reliability.ASSURED_PERSISTENT, List.of(row(3)));
      StreamOut stream = streams.streamsOut(c).get(0);
      assertThat(stream.nextTick()).isEqualTo(1);
      assertThat(streams.pending(c, "me2", Reliability.ASSURED_PERSISTENT, 0, 10))
          .as("nothing is numbered before the stream sends")
          .isEmpty();
      stream = streams.assignTicks(c, stream, 2);
      assertThat(stream.nextTick()).isEqualTo(3);
      stream = streams.assignTicks(c, stream, 10);
      assertThat(streams.pending(c, "me2", Reliability.ASSURED_PERSISTENT, 0, 10))
          .extracting(MessageRow::seq, MessageRow::messageId)
          .containsExactly(
              org.assertj.core.groups.Tuple.tuple(1L, "id-1"),
              org.assertj.core.groups.Tuple.tuple(2L, "id-2"),
              org.assertj.core.groups.Tuple.tuple(3L, "id-3"));
      streams.acknowledge(c, stream, 1);
      assertThat(streams.pending(c, "me2", Reliability.ASSURED_PERSISTENT, 0, 10)).hasSize(2);
      UUID fresh = UUID.randomUUID();
      assertThat(streams.restamp(c, "me2", Reliability.ASSURED_PERSISTENT, fresh)).isEqualTo(2);
      StreamOut renewed = streams.streamsOut(c).get(0);
      assertThat(renewed.streamId()).isEqualTo(fresh);
      assertThat(renewed.nextTick()).isEqualTo(1);
      assertThat(renewed.ackedPrefix()).isZero();
      streams.assignTicks(c, renewed, 10);
      assertThat(streams.pending(c, "me2", Reliability.ASSURED_PERSISTENT, 0, 10))
          .extracting(MessageRow::seq, MessageRow::messageId)
          .containsExactly(
              org.assertj.core.groups.Tuple.tuple(1L, "id-2"),
              org.assertj.core.groups.Tuple.tuple(2L, "id-3"));
      assertThat(streams.pending(c, "me2", Reliability.ASSURED_PERSISTENT, 0, 10))
          .allMatch(MessageRow::checksumValid);
    }
  }

  @Test
  void acceptedIdsAreRememberedAndIncomingStreamsKeepTheirPrefix() throws SQLException {
    try (Connection c = postgres.connect()) {
      StoreVerifier.create(c, schema);
      StreamStore streams = new StreamStore(schema);
      streams.remember(c, "me1", List.of("a", "b"));
      assertThat(streams.seen(c, List.of("a", "c"))).containsExactly("a");
      UUID id = UUID.randomUUID();
      assertThat(streams.streamIn(c, "me1", Reliability.ASSURED_PERSISTENT)).isNull();
      streams.saveStreamIn(c, "me1", Reliability.ASSURED_PERSISTENT, new StreamIn(id, 7));
      assertThat(streams.streamIn(c, "me1", Reliability.ASSURED_PERSISTENT))
          .isEqualTo(new StreamIn(id, 7));
    }
  }

  private LockSession open(String name) throws SQLException {
    return LockSession.open(postgres.jdbcUrl(), LocalPostgres.USER, "", schema, me1, name);
  }

  private static MessageRow row(long seq) {
    return row(seq, new byte[] {1});
  }

  private static MessageRow row(long seq, byte[] body) {
    return MessageRow.create(
        seq,
        "id-" + seq,
        "orders",
        4,
        Reliability.ASSURED_PERSISTENT,
        null,
        null,
        "{}",
        body,
        System.currentTimeMillis(),
        0);
  }

  @Test
  void aDryRunRestoreOnlyReadsTheLiveTablesAndARestoreFencesOutTheEpochItReplaces()
      throws Exception {
    StoreBackup backup = new StoreBackup(schema);
    Map<String, ByteArrayOutputStream> files = new HashMap<>();
    long held;
    try (Connection c = postgres.connect()) {
      StoreVerifier.create(c, schema);
      held = new Ownership(schema, me1).activate(c, "m0", "http://m0").epoch();
      backup.export(
          c, table -> files.computeIfAbsent(table.name(), k -> new ByteArrayOutputStream()));
    }
    StoreBackup.Source source =
        table -> new ByteArrayInputStream(files.get(table.name()).toByteArray());
    try (Connection running = postgres.connect();
        Connection c = postgres.connect();
        Statement s = c.createStatement()) {
      // The running engine writes: a transaction holding its usual lock on the message table.
      running.setAutoCommit(false);
      running.createStatement().execute("LOCK TABLE it_store.sibus_message IN ROW EXCLUSIVE MODE");
      s.execute("SET lock_timeout = '3s'");
      StoreBackup.Result planned =
          backup.restore(c, source, Set.of(), "_SYSTEM.Exception.me1", true);
      assertThat(planned.rows()).containsEntry("sibus_message", 0L);
      running.rollback();
      s.execute("RESET lock_timeout");

      backup.restore(c, source, Set.of(), "_SYSTEM.Exception.me1", false);
      assertThat(new Ownership(schema, me1).read(c).orElseThrow().epoch()).isEqualTo(held + 1);
      c.setAutoCommit(false);
      assertLostTheStore(() -> new Ownership(schema, me1).fence(c, held));
      c.rollback();
    }
  }

  @Test
  void theEngineVacuumsItsQueueTableAndIsToldWhenItMayNot() throws SQLException {
    TableUpkeep upkeep = new TableUpkeep(schema);
    try (Connection c = postgres.connect()) {
      StoreVerifier.create(c, schema);
      execute(
          "INSERT INTO it_store.sibus_message (seq, message_id, destination, priority,"
              + " reliability, properties, body, enqueued_at, checksum) SELECT g, 'm' || g, 'q', 4,"
              + " 4, '{}', '\\x00', now(), 0 FROM generate_series(1, 500) g");
      execute("DELETE FROM it_store.sibus_message");
      execute("SELECT pg_stat_force_next_flush()");
      assertThat(upkeep.deadRows(c, StoreTables.MESSAGE)).isEqualTo(500);

      SQLWarning done = upkeep.vacuum(c, StoreTables.MESSAGE);
      assertThat(done == null ? "no warning" : done.getMessage()).isEqualTo("no warning");
      assertThat(upkeep.deadRows(c, StoreTables.MESSAGE)).isZero();

      // A vacuum the way autovacuum runs it, empty pages at the end: the table keeps them, so no
      // vacuum takes the ACCESS EXCLUSIVE lock that giving them back needs. Both queue tables.
      for (Table queue : StoreTables.QUEUES) {
        assertThat(storageOptions(c, "it_store." + queue.name())).contains("vacuum_truncate=false");
        assertThat(upkeep.hasStorageOptions(c, queue)).isTrue();
      }
      assertThat(storageOptions(c, "it_store.sibus_message")).contains("fillfactor=50");
      // A store from a DDL before the options: the engine sets them.
      execute("ALTER TABLE it_store.sibus_transmit RESET (vacuum_truncate)");
      assertThat(upkeep.hasStorageOptions(c, StoreTables.TRANSMIT)).isFalse();
      upkeep.setStorageOptions(c, StoreTables.TRANSMIT);
      assertThat(upkeep.hasStorageOptions(c, StoreTables.TRANSMIT)).isTrue();
      execute("ALTER TABLE it_store.sibus_message RESET (fillfactor)");
      assertThat(upkeep.hasStorageOptions(c, StoreTables.MESSAGE)).isFalse();
      long bytes = relationBytes(c, "it_store.sibus_message");
      assertThat(bytes).isPositive();
      execute("VACUUM it_store.sibus_message");
      assertThat(relationBytes(c, "it_store.sibus_message")).isEqualTo(bytes);

      // A role that does not own the table: PostgreSQL skips it with a warning, not an error.
      execute("DROP ROLE IF EXISTS it_stranger");
      execute("CREATE ROLE it_stranger");
      execute("GRANT USAGE ON SCHEMA it_store TO it_stranger");
      try (Statement s = c.createStatement()) {
        s.execute("SET ROLE it_stranger");
      }
      SQLWarning refused = upkeep.vacuum(c, StoreTables.MESSAGE);
      assertThat(refused == null ? "no warning" : refused.getMessage()).contains("sibus_message");
      assertThat(refused.getSQLState()).isNotEqualTo(TableUpkeep.LOCK_NOT_AVAILABLE);
      // Nor may it set the table options (the engine then says so, SIBUS1542W).
      assertThatThrownBy(() -> upkeep.setStorageOptions(c, StoreTables.MESSAGE))
          .isInstanceOfSatisfying(
              SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("42501"));
    } finally {
      execute("DROP SCHEMA IF EXISTS it_store CASCADE");
      execute("DROP ROLE IF EXISTS it_stranger");
    }
  }

  private static String storageOptions(Connection c, String table) throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement(
            "SELECT array_to_string(reloptions, ',') FROM pg_class WHERE oid = ?::regclass")) {
      s.setString(1, table);
      try (ResultSet rs = s.executeQuery()) {
        rs.next();
        return String.valueOf(rs.getString(1));
      }
    }
  }

  private static long relationBytes(Connection c, String table) throws SQLException {
    try (PreparedStatement s = c.prepareStatement("SELECT pg_relation_size(?::regclass)")) {
      s.setString(1, table);
      try (ResultSet rs = s.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  private static void execute(String sql) throws SQLException {
    try (Connection c = postgres.connect();
        Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }
}
