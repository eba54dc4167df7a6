package io.sibus.datastore;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * The delivery-stream statements: outgoing streams and the messages they carry (a message for
 * another engine is a transmit row until that engine acknowledges its tick), incoming streams'
 * completed prefixes, and the ids of messages accepted from other engines.
 */
public final class StreamStore {
  private final StoreSql sql;

  public StreamStore(SchemaName schema) {
    this.sql = new StoreSql(schema);
  }

  public List<StreamOut> streamsOut(Connection c) throws SQLException {
    List<StreamOut> streams = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement(sql.streamsOut);
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        streams.add(
            new StreamOut(
                rs.getString(1),
                Reliability.fromCode(rs.getShort(2)),
                rs.getObject(3, UUID.class),
                rs.getLong(4),
                rs.getLong(5)));
      }
    }
    return streams;
  }

  /** Creates the stream to {@code target} with {@code streamId} unless it exists. */
  public void ensureStream(Connection c, String target, Reliability reliability, UUID streamId)
      throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql.createStreamOut)) {
      ps.setString(1, target);
      ps.setShort(2, (short) reliability.code());
      ps.setObject(3, streamId);
      ps.executeUpdate();
    }
  }

  /**
   * Stores messages for another engine, in order, on the stream to it (created when it is the
   * first). They get their ticks when the stream sends them ({@link #assignTicks}).
   */
  public void transmit(
      Connection c, String target, Reliability reliability, List<MessageRow> messages)
      throws SQLException {
    if (messages.isEmpty()) {
      return;
    }
    ensureStream(c, target, reliability, UUID.randomUUID());
    try (PreparedStatement ps = c.prepareStatement(sql.insertTransmit)) {
      for (MessageRow m : messages) {
        ps.setString(1, target);
        ps.setShort(2, (short) reliability.code());
        ps.setString(3, m.messageId());
        ps.setString(4, m.destination());
        ps.setShort(5, (short) m.priority());
        ps.setString(6, m.contentType());
        ps.setString(7, m.correlationId());
        ps.setString(8, m.propertiesJson());
        ps.setBytes(9, m.body());
        ps.setTimestamp(10, new Timestamp(m.enqueuedAtMillis()));
        if (m.expiresAtMillis() == 0) {
          ps.setNull(11, Types.TIMESTAMP_WITH_TIMEZONE);
        } else {
          ps.setTimestamp(11, new Timestamp(m.expiresAtMillis()));
        }
        ps.setLong(12, m.checksum());
        ps.addBatch();
      }
      ps.executeBatch();
    }
  }

  /**
   * Gives the next ticks of the stream to up to {@code limit} messages not yet numbered, in the
   * order they were stored. Returns the stream after the assignment.
   */
  public StreamOut assignTicks(Connection c, StreamOut stream, int limit) throws SQLException {
    short code = (short) stream.reliability().code();
    List<Long> positions = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement(sql.unassigned)) {
      ps.setString(1, stream.target());
      ps.setShort(2, code);
      ps.setInt(3, limit);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          positions.add(rs.getLong(1));
        }
      }
    }
    if (positions.isEmpty()) {
      return stream;
    }
    long next;
    try (PreparedStatement ps = c.prepareStatement(sql.reserveTicks)) {
      ps.setLong(1, positions.size());
      ps.setString(2, stream.target());
      ps.setShort(3, code);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        next = rs.getLong(1);
      }
    }
    Long[] ticks = new Long[positions.size()];
    long first = next - positions.size();
    for (int i = 0; i < ticks.length; i++) {
      ticks[i] = first + i;
    }
    try (PreparedStatement ps = c.prepareStatement(sql.assignTicks)) {
      ps.setArray(1, c.createArrayOf("bigint", positions.toArray(Long[]::new)));
      ps.setArray(2, c.createArrayOf("bigint", ticks));
      ps.executeUpdate();
    }
    return new StreamOut(
        stream.target(), stream.reliability(), stream.streamId(), next, stream.ackedPrefix());
  }

  /**
   * Up to {@code limit} messages of a stream after {@code afterTick}, in tick order (seq = tick).
   */
  public List<MessageRow> pending(
      Connection c, String target, Reliability reliability, long afterTick, int limit)
      throws SQLException {
    List<MessageRow> rows = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement(sql.readTransmit)) {
      ps.setString(1, target);
      ps.setShort(2, (short) reliability.code());
      ps.setLong(3, afterTick);
      ps.setInt(4, limit);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          Timestamp expires = rs.getTimestamp(12);
          rows.add(
              new MessageRow(
                  rs.getLong(3),
                  rs.getString(4),
                  rs.getString(5),
                  rs.getShort(6),
                  reliability,
                  rs.getString(7),
                  rs.getString(8),
                  rs.getString(9),
                  rs.getBytes(10),
                  rs.getTimestamp(11).getTime(),
                  expires == null ? 0 : expires.getTime(),
                  0,
                  rs.getLong(13)));
        }
      }
    }
    return rows;
  }

  /** The target completed the stream up to {@code prefix}: its messages are no longer ours. */
  public void acknowledge(Connection c, StreamOut stream, long prefix) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql.deleteTransmitUpTo)) {
      ps.setString(1, stream.target());
      ps.setShort(2, (short) stream.reliability().code());
      ps.setLong(3, prefix);
      ps.executeUpdate();
    }
    try (PreparedStatement ps = c.prepareStatement(sql.ackStreamOut)) {
      ps.setLong(1, prefix);
      ps.setString(2, stream.target());
      ps.setShort(3, (short) stream.reliability().code());
      ps.setObject(4, stream.streamId());
      ps.executeUpdate();
    }
  }

  /**
   * Restart after restore: a new stream id, and every message still held for the receiver is
   * numbered again from tick 1, in the order it was stored. Returns how many it carries.
   */
  public int restamp(Connection c, String target, Reliability reliability, UUID newStreamId)
      throws SQLException {
    short code = (short) reliability.code();
    int count;
    try (PreparedStatement ps = c.prepareStatement(sql.unassignAll)) {
      ps.setString(1, target);
      ps.setShort(2, code);
      count = ps.executeUpdate();
    }
    try (PreparedStatement ps = c.prepareStatement(sql.resetStreamOut)) {
      ps.setObject(1, newStreamId);
      ps.setString(2, target);
      ps.setShort(3, code);
      ps.executeUpdate();
    }
    return count;
  }

  public Map<String, Long> countTransmit(Connection c) throws SQLException {
    Map<String, Long> counts = new HashMap<>();
    try (PreparedStatement ps = c.prepareStatement(sql.countTransmit);
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        counts.put(rs.getString(1), rs.getLong(2));
      }
    }
    return counts;
  }

  /** The incoming stream of {@code source}, locked for this transaction; null when unknown. */
  public StreamIn streamIn(Connection c, String source, Reliability reliability)
      throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql.streamIn)) {
      ps.setString(1, source);
      ps.setShort(2, (short) reliability.code());
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? new StreamIn(rs.getObject(1, UUID.class), rs.getLong(2)) : null;
      }
    }
  }

  public void saveStreamIn(Connection c, String source, Reliability reliability, StreamIn state)
      throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql.upsertStreamIn)) {
      ps.setString(1, source);
      ps.setShort(2, (short) reliability.code());
      ps.setObject(3, state.streamId());
      ps.setLong(4, state.completedPrefix());
      ps.executeUpdate();
    }
  }

  /** Which of {@code messageIds} were accepted before (within the deduplication window). */
  public Set<String> seen(Connection c, List<String> messageIds) throws SQLException {
    Set<String> seen = new HashSet<>();
    if (messageIds.isEmpty()) {
      return seen;
    }
    try (PreparedStatement ps = c.prepareStatement(sql.seenIds)) {
      ps.setArray(1, c.createArrayOf("text", messageIds.toArray(String[]::new)));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          seen.add(rs.getString(1));
        }
      }
    }
    return seen;
  }

  public void remember(Connection c, String source, List<String> messageIds) throws SQLException {
    if (messageIds.isEmpty()) {
      return;
    }
    try (PreparedStatement ps = c.prepareStatement(sql.insertSeen)) {
      ps.setString(1, source);
      ps.setArray(2, c.createArrayOf("text", messageIds.toArray(String[]::new)));
      ps.executeUpdate();
    }
  }

  public int purgeSeen(Connection c, long windowMillis) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql.purgeSeen)) {
      ps.setLong(1, windowMillis);
      return ps.executeUpdate();
    }
  }
}
