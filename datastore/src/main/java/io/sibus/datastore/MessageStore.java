package io.sibus.datastore;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * The message statements, run on a connection whose transaction the caller owns (the engine's group
 * commit). Batched: one statement per kind of work, whatever the number of messages.
 */
public final class MessageStore {
  private final StoreSql sql;

  public MessageStore(SchemaName schema) {
    this.sql = new StoreSql(schema);
  }

  public void insert(Connection c, List<MessageRow> rows) throws SQLException {
    StatementPipeline pipeline = new StatementPipeline();
    insert(pipeline, rows);
    pipeline.flush(c);
  }

  /** Adds the insert of {@code rows} (if any) to {@code pipeline}. */
  public void insert(StatementPipeline pipeline, List<MessageRow> rows) {
    MessageInsert.of(sql.insertMessage, rows).forEach(pipeline::add);
  }

  /**
   * Claims idempotency keys. Returns, for every key already claimed (by an earlier send, or by a
   * concurrent transaction that committed first), the message id that claimed it.
   */
  public Map<IdempotencyClaim, String> claim(Connection c, List<IdempotencyClaim> claims)
      throws SQLException {
    if (claims.isEmpty()) {
      return Map.of();
    }
    Set<String> claimed = new HashSet<>();
    try (PreparedStatement ps = c.prepareStatement(sql.reserveIdempotency)) {
      ps.setArray(1, textArray(c, claims.stream().map(IdempotencyClaim::destination).toList()));
      ps.setArray(2, textArray(c, claims.stream().map(IdempotencyClaim::key).toList()));
      ps.setArray(3, textArray(c, claims.stream().map(IdempotencyClaim::messageId).toList()));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          claimed.add(rs.getString(1) + '\u0000' + rs.getString(2));
        }
      }
    }
    Map<IdempotencyClaim, String> duplicates = new LinkedHashMap<>();
    for (IdempotencyClaim claim : claims) {
      if (!claimed.contains(claim.destination() + '\u0000' + claim.key())) {
        duplicates.put(claim, existingClaim(c, claim));
      }
    }
    return duplicates;
  }

  private String existingClaim(Connection c, IdempotencyClaim claim) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql.findIdempotency)) {
      ps.setString(1, claim.destination());
      ps.setString(2, claim.key());
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getString(1) : claim.messageId();
      }
    }
  }

  /** Which of {@code messageIds} are stored here now (on any destination). */
  public java.util.Set<String> existing(Connection c, List<String> messageIds) throws SQLException {
    java.util.Set<String> found = new HashSet<>();
    if (messageIds.isEmpty()) {
      return found;
    }
    try (PreparedStatement ps = c.prepareStatement(sql.existingIds)) {
      ps.setArray(1, textArray(c, messageIds));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          found.add(rs.getString(1));
        }
      }
    }
    return found;
  }

  /**
   * Adds receipt locks (if any) to {@code pipeline}: they record the receipts and count the
   * deliveries; the locked messages, with their bodies, go to {@code locked} when the pipeline
   * runs. Reading them does not fail, so the locks can travel with the commit: a row with an
   * unknown reliability code is reported in {@link LockedRows#corrupted} instead.
   */
  public void lockForDelivery(
      StatementPipeline pipeline, List<DeliveryLock> locks, Consumer<LockedRows> locked) {
    if (locks.isEmpty()) {
      locked.accept(new LockedRows(List.of(), Map.of()));
      return;
    }
    pipeline.add(
        new SqlStep(sql.lockForDelivery) {
          @Override
          public int bind(Connection c, PreparedStatement ps, int first) throws SQLException {
            // Java arrays through setObject: the driver encodes them in binary by their Java type
            // (an Object[] it would write out as text, number by number, for the server to parse).
            ps.setObject(first, locks.stream().mapToLong(DeliveryLock::seq).toArray());
            ps.setObject(
                first + 1, locks.stream().map(l -> l.receipt().toString()).toArray(String[]::new));
            ps.setObject(
                first + 2, locks.stream().mapToLong(DeliveryLock::lockedUntilMillis).toArray());
            return first + 3;
          }

          @Override
          public void read(PreparedStatement ps) throws SQLException {
            List<MessageRow> rows = new ArrayList<>(locks.size());
            Map<Long, StoreException> corrupted = new HashMap<>();
            try (ResultSet rs = ps.getResultSet()) {
              while (rs.next()) {
                long seq = rs.getLong(1);
                try {
                  rows.add(row(rs));
                } catch (StoreException e) {
                  corrupted.put(seq, e);
                } catch (SQLException | RuntimeException e) {
                  // Only this row's delivery fails, not every receive that shares its commit.
                  corrupted.put(
                      seq,
                      corrupted(
                          "The stored message with sequence " + seq + " cannot be read (" + e + ")",
                          e));
                }
              }
            }
            locked.accept(new LockedRows(rows, corrupted));
          }
        });
  }

  /** Adds the delete of the messages {@code seqs} (if any) to {@code pipeline}. */
  public void delete(StatementPipeline pipeline, long[] seqs) {
    bySeqs(pipeline, sql.deleteMessages, seqs);
  }

  /** Adds the release of the receipt locks of {@code seqs} (if any) to {@code pipeline}. */
  public void unlock(StatementPipeline pipeline, long[] seqs) {
    bySeqs(pipeline, sql.unlockMessages, seqs);
  }

  /** Reads one message under a row lock, for a change that must recompute its checksum. */
  public MessageRow readForUpdate(Connection c, long seq) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql.selectMessageForUpdate)) {
      ps.setLong(1, seq);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? row(rs) : null;
      }
    }
  }

  /** Moves a message to another destination (the exception destination) with new properties. */
  public void move(Connection c, MessageRow moved) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql.moveMessage)) {
      ps.setString(1, moved.destination());
      ps.setString(2, moved.propertiesJson());
      ps.setLong(3, moved.checksum());
      ps.setLong(4, moved.seq());
      ps.executeUpdate();
    }
  }

  /** Streams the index rows of every stored message, in sequence order. */
  public void loadIndex(Connection c, Consumer<IndexRow> sink) throws SQLException {
    withCursor(
        c,
        sql.loadIndex,
        rs -> {
          Timestamp expires = rs.getTimestamp(6);
          Timestamp locked = rs.getTimestamp(9);
          sink.accept(
              new IndexRow(
                  rs.getLong(1),
                  rs.getString(2),
                  rs.getString(3),
                  rs.getShort(4),
                  reliability(rs.getShort(5)),
                  expires == null ? 0 : expires.getTime(),
                  rs.getInt(7),
                  rs.getObject(8, UUID.class),
                  locked == null ? 0 : locked.getTime()));
        });
  }

  /** Streams every stored message with its body, in sequence order (verification, backup). */
  public void readAll(Connection c, Consumer<MessageRow> sink) throws SQLException {
    withCursor(c, sql.readAllMessages, rs -> sink.accept(row(rs)));
  }

  public long maxSeq(Connection c) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql.maxSeq);
        ResultSet rs = ps.executeQuery()) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /** Clears receipt locks that have expired (recovery). Returns how many. */
  public int releaseExpiredLocks(Connection c) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql.releaseExpiredLocks)) {
      return ps.executeUpdate();
    }
  }

  /** Deletes messages whose time to live has passed. Returns how many. */
  public int deleteExpired(Connection c) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql.deleteExpired)) {
      return ps.executeUpdate();
    }
  }

  /** Forgets idempotency keys older than the deduplication window. */
  public int purgeIdempotency(Connection c, long windowMillis) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql.purgeIdempotency)) {
      ps.setLong(1, windowMillis);
      return ps.executeUpdate();
    }
  }

  public Map<String, Long> countByDestination(Connection c) throws SQLException {
    Map<String, Long> counts = new HashMap<>();
    try (PreparedStatement ps = c.prepareStatement(sql.countByDestination);
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        counts.put(rs.getString(1), rs.getLong(2));
      }
    }
    return counts;
  }

  private static void bySeqs(StatementPipeline pipeline, String statement, long[] seqs) {
    if (seqs.length == 0) {
      return;
    }
    pipeline.add(
        new SqlStep(statement) {
          @Override
          public int bind(Connection c, PreparedStatement ps, int first) throws SQLException {
            ps.setObject(first, seqs); // bigint[], in binary
            return first + 1;
          }
        });
  }

  /** A step of one statement whose result (a row count) is not needed. */
  private abstract static class SqlStep implements StatementPipeline.Step {
    private final String sql;

    SqlStep(String sql) {
      this.sql = sql;
    }

    @Override
    public String sql() {
      return sql;
    }

    @Override
    public void read(PreparedStatement ps) throws SQLException {}
  }

  private interface RowHandler {
    void handle(ResultSet rs) throws SQLException;
  }

  /** Runs a query with a cursor (autocommit off, fetch size) so large stores stream. */
  private static void withCursor(Connection c, String query, RowHandler handler)
      throws SQLException {
    boolean autoCommit = c.getAutoCommit();
    if (autoCommit) {
      c.setAutoCommit(false);
    }
    try (PreparedStatement ps = c.prepareStatement(query)) {
      ps.setFetchSize(500);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          handler.handle(rs);
        }
      }
    } finally {
      if (autoCommit) {
        c.commit();
        c.setAutoCommit(true);
      }
    }
  }

  private static Array textArray(Connection c, List<String> values) throws SQLException {
    return c.createArrayOf("text", values.toArray(String[]::new));
  }

  /** An unknown reliability code can only come from a row altered outside sibus. */
  private static Reliability reliability(short code) {
    try {
      return Reliability.fromCode(code);
    } catch (IllegalArgumentException e) {
      throw corrupted("A stored message has the unknown reliability code " + code, null);
    }
  }

  /**
   * A stored row that sibus could not have written (its columns' types and constraints exclude it):
   * the data store is corrupted, a global error.
   */
  private static StoreException corrupted(String what, Exception cause) {
    return new StoreException(
        ErrorClass.GLOBAL,
        "SIBUS1539E",
        what + ": the data store is corrupted.",
        "Restore the data store from a backup, then start the engine in restart-after-restore"
            + " mode.",
        cause);
  }

  static MessageRow row(ResultSet rs) throws SQLException {
    Timestamp expires = rs.getTimestamp(11);
    return new MessageRow(
        rs.getLong(1),
        rs.getString(2),
        rs.getString(3),
        rs.getShort(4),
        reliability(rs.getShort(5)),
        rs.getString(6),
        rs.getString(7),
        rs.getString(8),
        rs.getBytes(9),
        rs.getTimestamp(10).getTime(),
        expires == null ? 0 : expires.getTime(),
        rs.getInt(12),
        rs.getLong(13));
  }
}
