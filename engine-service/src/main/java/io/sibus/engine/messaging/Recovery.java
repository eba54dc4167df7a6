package io.sibus.engine.messaging;

import io.sibus.datastore.ErrorClass;
import io.sibus.datastore.IndexRow;
import io.sibus.datastore.MessageRow;
import io.sibus.datastore.MessageStore;
import io.sibus.datastore.Ownership;
import io.sibus.datastore.StoreException;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import javax.sql.DataSource;

/**
 * The work of a recovery start, in one fenced transaction: release receipt locks that expired,
 * delete messages past their time to live, move to the exception destination the messages whose
 * redeliveries are used up or whose destination no longer exists, forget idempotency keys past the
 * window, and verify the checksum of every stored message. Any corrupted message rolls it all back
 * and is reported as a global error.
 */
final class Recovery {
  /** What recovery did. */
  record Report(int locksReleased, int expiredDeleted, int moved, int verified) {
    @Override
    public String toString() {
      return "released "
          + locksReleased
          + " expired receipt lock(s), deleted "
          + expiredDeleted
          + " expired message(s), moved "
          + moved
          + " message(s) to the exception destination, verified "
          + verified
          + " stored message(s)";
    }
  }

  private Recovery() {}

  static Report run(
      DataSource dataSource,
      Ownership ownership,
      MessageStore store,
      Destinations destinations,
      long epoch,
      Duration dedupWindow)
      throws SQLException {
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      try {
        ownership.fence(c, epoch);
        int released = store.releaseExpiredLocks(c);
        int expired = store.deleteExpired(c);
        List<IndexRow> toMove = new ArrayList<>();
        long now = System.currentTimeMillis();
        store.loadIndex(
            c,
            row -> {
              boolean locked = row.receipt() != null && row.lockedUntilMillis() > now;
              Destination d = destinations.find(row.destination()).orElse(null);
              if (!locked && (d == null || d.redeliveriesExhausted(row.deliveryCount()))) {
                toMove.add(row);
              }
            });
        List<String> corrupted = new ArrayList<>();
        int[] verified = {0};
        store.readAll(
            c,
            row -> {
              verified[0]++;
              if (!row.checksumValid()) {
                corrupted.add(row.messageId());
              }
            });
        if (!corrupted.isEmpty()) {
          throw corruption(corrupted);
        }
        int moved = move(c, store, destinations, toMove);
        store.purgeIdempotency(c, dedupWindow.toMillis());
        c.commit();
        return new Report(released, expired, moved, verified[0]);
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    }
  }

  private static int move(
      Connection c, MessageStore store, Destinations destinations, List<IndexRow> rows)
      throws SQLException {
    String at = Instant.now().toString();
    Destination exception = destinations.exception();
    int moved = 0;
    for (IndexRow index : rows) {
      if (index.destination().equals(exception.name())) {
        continue;
      }
      MessageRow row = store.readForUpdate(c, index.seq());
      Destination d = destinations.find(index.destination()).orElse(null);
      String reason =
          d == null
              ? "SIBUS0302W destination "
                  + index.destination()
                  + " no longer exists in the bus configuration"
              : "SIBUS0303W delivered "
                  + index.deliveryCount()
                  + " times, over the"
                  + " maxRedeliveries of "
                  + d.maxRedeliveries()
                  + " of destination "
                  + d.name();
      Map<String, String> props = new TreeMap<>(PropertiesCodec.decode(row.propertiesJson()));
      props.put(ExceptionRouter.REASON, reason);
      props.put(ExceptionRouter.ORIGINAL_DESTINATION, index.destination());
      props.put(ExceptionRouter.AT, at);
      store.move(c, row.movedTo(exception.name(), PropertiesCodec.encode(props)));
      moved++;
    }
    return moved;
  }

  private static StoreException corruption(List<String> messageIds) {
    return new StoreException(
        ErrorClass.GLOBAL,
        "SIBUS1539E",
        messageIds.size()
            + " stored message(s) do not match their checksum (first: "
            + messageIds.subList(0, Math.min(5, messageIds.size()))
            + "): the data store is corrupted. Recovery changed nothing.",
        "Restore the data store from a backup (then start the engine in restart-after-restore"
            + " mode), or remove the damaged messages, then start the engine again.");
  }
}
