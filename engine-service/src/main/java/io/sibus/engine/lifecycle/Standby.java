package io.sibus.engine.lifecycle;

import io.sibus.datastore.ErrorClass;
import io.sibus.datastore.LockSession;
import io.sibus.datastore.OwnerRecord;
import io.sibus.engine.config.SibusConfig;
import io.sibus.engine.election.Election;
import io.sibus.engine.error.ErrorLog;
import io.sibus.engine.health.Faults;
import io.sibus.engine.store.StoreContext;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Optional;
import java.util.function.BooleanSupplier;

/**
 * How a member gets to try for the data store: it opens its lock session, retrying up to the
 * start-up timeout (then it is DISABLED), and waits as a standby until the election lets it try and
 * the advisory lock is free. Meanwhile it looks at the owner row every second: who is active,
 * whether failover is suppressed, and whether the holder of the lock is hung. Runs on the lifecycle
 * thread ({@link Takeover}).
 */
final class Standby {
  private final SibusConfig config;
  private final MemberStatus status;
  private final ErrorLog errors;
  private final StoreContext context;
  private final Faults faults;
  private final Election election;

  Standby(
      SibusConfig config,
      MemberStatus status,
      ErrorLog errors,
      StoreContext context,
      Faults faults,
      Election election) {
    this.config = config;
    this.status = status;
    this.errors = errors;
    this.context = context;
    this.faults = faults;
    this.election = election;
  }

  /** A new lock session of this member, or what stopped it from opening. */
  LockSession open() throws SQLException {
    return LockSession.open(
        context.jdbcUrl(),
        context.username(),
        context.password(),
        context.schema(),
        context.identity(),
        "sibus " + engine() + " " + context.member());
  }

  /**
   * Opens the lock session, retrying until the start-up timeout; empty when that ran out (the
   * member is then DISABLED) or a stop was requested (STOPPED).
   */
  Optional<LockSession> connect(BooleanSupplier stopRequested) {
    status.state(EngineState.STARTING);
    Duration timeout = config.datastore().startupTimeout();
    long deadline = System.nanoTime() + timeout.toNanos();
    SQLException last = null;
    while (!stopRequested.getAsBoolean()) {
      try {
        return Optional.of(open());
      } catch (SQLException e) {
        if (last == null) {
          errors.info(
              "SIBUS0040W",
              "The data store of messaging engine "
                  + engine()
                  + " is not reachable ("
                  + e.getMessage()
                  + "); the member keeps trying for "
                  + timeout
                  + ".");
        }
        last = e;
      }
      long remaining = deadline - System.nanoTime();
      if (remaining <= 0) {
        disable(timeout, last);
        return Optional.empty();
      }
      Takeover.sleep(Math.min(1000, remaining / 1_000_000));
    }
    status.state(EngineState.STOPPED);
    return Optional.empty();
  }

  /** The store stayed out of reach for the whole start-up timeout: the member is DISABLED. */
  private void disable(Duration timeout, SQLException last) {
    // The error first: whoever sees DISABLED must also see why.
    errors.report(
        ErrorClass.LOCAL,
        "SIBUS0039E",
        "Messaging engine "
            + engine()
            + " could not reach its data store within the start-up timeout of "
            + timeout
            + " ("
            + last.getMessage()
            + "); member "
            + context.member()
            + " is disabled for high availability.",
        "Make the database reachable, then re-enable the member: restart it, POST"
            + " /api/v1/engine/start, or the sibus.io/reenable-members annotation.");
    status.state(EngineState.DISABLED);
  }

  /**
   * Waits as a standby until {@code session} holds the lock (true), or a stop is requested (false).
   * {@code clearSuppression} says that the next attempt is to clear a suppressed failover (a start
   * requested after a global error).
   */
  boolean awaitLock(
      StoreSession session, BooleanSupplier stopRequested, BooleanSupplier clearSuppression)
      throws SQLException {
    status.state(EngineState.STANDBY);
    errors.info(
        "SIBUS1538I",
        "Messaging engine "
            + engine()
            + " member "
            + context.member()
            + " is attempting to"
            + " obtain exclusive access to the data store in schema "
            + context.schema()
            + ".");
    long nextLook = 0;
    while (!stopRequested.getAsBoolean()) {
      faults.maybeFail(Faults.Duty.STANDBY);
      if (System.nanoTime() >= nextLook) {
        lookAtOwner(session);
        nextLook = System.nanoTime() + 1_000_000_000L;
      }
      boolean suppressed = status.storeSuppressed() && !clearSuppression.getAsBoolean();
      // Who may try (the election) comes before who may write (the lock); a standby held back by
      // the store's suppression does not ask, so that it never takes the election's right either.
      boolean mayTry = !suppressed && election.mayTry();
      if (session.locked(held -> mayTry ? held.tryLock() : ping(held))) {
        return true;
      }
      Takeover.sleep(config.engine().pollInterval().toMillis());
    }
    return false;
  }

  /** Keeps the session's connection in use while the member may not try; never takes the lock. */
  private static boolean ping(LockSession session) throws SQLException {
    session.ping();
    return false;
  }

  /** Learns the active member and any failover suppression; ends a hung holder's session. */
  private void lookAtOwner(StoreSession session) throws SQLException {
    try {
      session.locked(
          held -> {
            readOwner(held);
            return null;
          });
    } catch (SQLException e) {
      if (Lifecycle.connectionLoss(e)) {
        throw e;
      }
      // No tables yet: nobody owns the store.
    }
  }

  private void readOwner(LockSession session) throws SQLException {
    Optional<OwnerRecord> owner = context.ownership().read(session.connection());
    owner.ifPresent(
        o -> {
          status.activeMember(o.activeMember(), o.activeUrl());
          status.failoverSuppressed(o.failoverSuppressed());
        });
    if (!status.failoverSuppressed()) {
      session
          .evictHungHolder(config.engine().leaseDuration().toMillis())
          .ifPresent(
              holder ->
                  errors.report(
                      ErrorClass.UNDETECTABLE,
                      "SIBUS0052E",
                      "The active member "
                          + holder
                          + " is hung; its data store session"
                          + " was ended so that this member can take over.",
                      "Inspect the hung member; it will exit when it notices."));
    }
  }

  private String engine() {
    return config.engine().name();
  }
}
