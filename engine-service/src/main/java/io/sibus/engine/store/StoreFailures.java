package io.sibus.engine.store;

import io.sibus.datastore.StoreException;
import java.sql.SQLException;

/**
 * What the active member's work reports to the engine's life cycle: the store failing under the
 * writer, and a thread of that work ending on an {@link Error}.
 */
public interface StoreFailures {
  /** The database connection was lost or refused. */
  void connectionLost(SQLException cause);

  /** A classified error the member cannot continue after (epoch lost, store altered). */
  void storeFailed(StoreException cause);

  /**
   * A thread of the active member's work ({@code duty}: the group-commit writer or its completer, a
   * delivery stream's sender, the flush of the delivery streams, the housekeeping, the vacuuming)
   * ended on an {@link Error} (out of memory, say), or on an exception that it cannot go on after
   * (a defect): the member cannot serve on without it.
   */
  void dutyEnded(String duty, Throwable cause);

  /** A failure corrected in place (a retried serialization failure or deadlock). */
  void recovered(String what);
}
