package io.sibus.datastore;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.IntFunction;
import java.util.function.ToLongFunction;

/**
 * The insert of a batch of messages as one statement of column arrays, so that it can share its
 * transaction's round trip ({@link StatementPipeline}). The driver copies a statement's bodies into
 * one array, so a batch of large messages is split into statements of at most {@link #MAX_BYTES} of
 * bodies (and as many rows as fit).
 */
final class MessageInsert implements StatementPipeline.Step {
  static final long MAX_BYTES = 8L << 20;

  private final String sql;
  private final List<MessageRow> rows;

  private MessageInsert(String sql, List<MessageRow> rows) {
    this.sql = sql;
    this.rows = rows;
  }

  /** The statements that insert {@code rows}: one per {@link #MAX_BYTES} of bodies. */
  static List<MessageInsert> of(String sql, List<MessageRow> rows) {
    List<MessageInsert> statements = new ArrayList<>();
    int from = 0;
    long bytes = 0;
    for (int i = 0; i < rows.size(); i++) {
      long body = rows.get(i).body().length;
      if (i > from && bytes + body > MAX_BYTES) {
        statements.add(new MessageInsert(sql, rows.subList(from, i)));
        from = i;
        bytes = 0;
      }
      bytes += body;
    }
    if (from < rows.size()) {
      statements.add(new MessageInsert(sql, rows.subList(from, rows.size())));
    }
    return statements;
  }

  int rows() {
    return rows.size();
  }

  @Override
  public String sql() {
    return sql;
  }

  @Override
  public int bind(Connection c, PreparedStatement ps, int first) throws SQLException {
    // Java arrays through setObject: the driver encodes them in binary by their Java type, where
    // createArrayOf first looks the type's name up. A String[] goes as varchar[] (StoreSql).
    int p = first;
    ps.setObject(p++, longs(MessageRow::seq));
    ps.setObject(p++, column(String[]::new, MessageRow::messageId));
    ps.setObject(p++, column(String[]::new, MessageRow::destination));
    ps.setObject(p++, column(Short[]::new, r -> (short) r.priority()));
    ps.setObject(p++, column(Short[]::new, r -> (short) r.reliability().code()));
    ps.setObject(p++, column(String[]::new, MessageRow::contentType));
    ps.setObject(p++, column(String[]::new, MessageRow::correlationId));
    ps.setObject(p++, column(String[]::new, MessageRow::propertiesJson));
    ps.setObject(p++, column(byte[][]::new, MessageRow::body));
    ps.setObject(p++, longs(MessageRow::enqueuedAtMillis));
    ps.setObject(
        p++, column(Long[]::new, r -> r.expiresAtMillis() == 0 ? null : r.expiresAtMillis()));
    ps.setObject(p++, longs(MessageRow::checksum));
    return p;
  }

  /** A column of the rows that is never null, unboxed. */
  private long[] longs(ToLongFunction<MessageRow> value) {
    long[] values = new long[rows.size()];
    for (int i = 0; i < values.length; i++) {
      values[i] = value.applyAsLong(rows.get(i));
    }
    return values;
  }

  /** One column of the rows, as the array the statement binds. */
  private <T> T[] column(IntFunction<T[]> array, Function<MessageRow, T> value) {
    T[] values = array.apply(rows.size());
    for (int i = 0; i < values.length; i++) {
      values[i] = value.apply(rows.get(i));
    }
    return values;
  }

  @Override
  public void read(PreparedStatement ps) {}
}
