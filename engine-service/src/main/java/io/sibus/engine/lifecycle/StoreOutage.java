package io.sibus.engine.lifecycle;

import io.sibus.datastore.ErrorClass;
import io.sibus.datastore.LockSession;
import io.sibus.datastore.OwnerRecord;
import io.sibus.engine.config.SibusConfig;
import io.sibus.engine.election.Election;
import io.sibus.engine.error.ErrorLog;
import io.sibus.engine.store.StoreContext;
import io.sibus.engine.store.StoreErrors;
import java.sql.SQLException;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import javax.sql.DataSource;

/**
 * What the active member does when it loses its connection to the data store and
 * failover-on-connection-loss is off: it refuses persistent work and tries every second to lock the
 * store again. If the owner row still names its activation, it serves on where the outage left off;
 * if another member took the store, it drops its activation. Runs on the lifecycle thread ({@link
 * Takeover}).
 */
final class StoreOutage {
  private final SibusConfig config;
  private final MemberStatus status;
  private final ErrorLog errors;
  private final StoreContext context;
  private final DataSource dataSource;
  private final Election election;
  private final Standby standby;
  private final StoreSession session;
  private final ActiveWork work;

  StoreOutage(
      SibusConfig config,
      MemberStatus status,
      ErrorLog errors,
      StoreContext context,
      DataSource dataSource,
      Election election,
      Standby standby,
      StoreSession session,
      ActiveWork work) {
    this.config = config;
    this.status = status;
    this.errors = errors;
    this.context = context;
    this.dataSource = dataSource;
    this.election = election;
    this.standby = standby;
    this.session = session;
    this.work = work;
  }

  /**
   * Waits for the store after {@code cause}: true if this member serves again, false if it gave up
   * its activation (another member holds the store, or a stop was requested meanwhile); the session
   * is then kept open without the lock. {@code lost} hears of the connection lost again.
   */
  boolean waitOut(SQLException cause, BooleanSupplier stopRequested, Consumer<SQLException> lost) {
    errors.report(
        ErrorClass.RECOVERABLE,
        "SIBUS0051W",
        "Messaging engine "
            + engine()
            + " lost its connection to the data store ("
            + cause.getMessage()
            + "); failover-on-connection-loss is false, so the member waits"
            + " for the database and refuses persistent messages meanwhile.",
        "Restore the database or the network to it.");
    status.storeAvailable(false);
    work.refuse(StoreErrors.unavailable());
    session.close();
    Lifecycle.flushPool(dataSource);
    if (serveAgain(stopRequested, lost)) {
      return true;
    }
    demote();
    return false;
  }

  /**
   * Tries every second to lock the store again: true once this member holds it at its own epoch and
   * serves again, false if another member holds it or took it meanwhile, or a stop was requested.
   */
  private boolean serveAgain(BooleanSupplier stopRequested, Consumer<SQLException> lost) {
    while (!stopRequested.getAsBoolean()) {
      Takeover.sleep(1000);
      try {
        if (!session.isOpen()) {
          session.opened(standby.open());
        }
        if (!session.locked(held -> held.tryLock() && ownedAtThisEpoch(held))) {
          return false;
        }
        resume(lost);
        return true;
      } catch (SQLException e) {
        session.close();
      }
    }
    return false;
  }

  /** Whether the owner row still names this member's activation: nobody took over meanwhile. */
  private boolean ownedAtThisEpoch(LockSession held) throws SQLException {
    Optional<OwnerRecord> owner = context.ownership().read(held.connection());
    return owner.isPresent() && owner.get().epoch() == status.epoch();
  }

  /** The store is back, still at this member's epoch: serve again where the outage left off. */
  private void resume(Consumer<SQLException> lost) throws SQLException {
    work.resume(status.epoch());
    session.keep(lost);
    status.storeAvailable(true);
    errors.report(
        ErrorClass.RECOVERABLE,
        "SIBUS0051W",
        "Messaging engine "
            + engine()
            + " reached its data store again and continues as the"
            + " active member (epoch "
            + status.epoch()
            + ").",
        "None.");
  }

  /** Someone else holds the store now: drop everything of this activation, keep the session. */
  private void demote() {
    election.standDown();
    work.stop(StoreErrors.notActive());
    try {
      if (session.isOpen()) {
        session.unlock();
      }
    } catch (SQLException e) {
      session.close();
    }
  }

  private String engine() {
    return config.engine().name();
  }
}
