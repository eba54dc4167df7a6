package io.sibus.engine.election;

import io.sibus.engine.config.ElectionKind;
import io.sibus.engine.store.StoreFailures;

/**
 * "Who may try": the first of the two layers of activation (DESIGN.md §3). An election only says
 * whether this member may try to take the data store; the data store's advisory lock and epoch
 * fence still decide who may write. A wrong answer here therefore costs time, never a second
 * writer.
 *
 * <p>Called from the lifecycle thread, except {@link #standDown()}, which may come from any thread
 * (a member exiting for a local error).
 */
public interface Election {
  /** Which flavour this is, for {@code GET /api/v1/engine}. */
  ElectionKind kind();

  /**
   * Whether this member may try to take the data store now: false while another member holds the
   * right to try, or while failover is suppressed. A standby asks before every attempt, so an
   * implementation that asks a remote service answers from its last look when asked too often.
   */
  boolean mayTry();

  /**
   * This member became active: keep the right to try (renew it) until {@link #standDown()} or
   * {@link #release()}. Losing it is a local error, reported to {@code failures}.
   */
  void activated(StoreFailures failures);

  /**
   * Stop renewing and leave the right as it stands: after a global error (the operator marks the
   * right, not the member), when another member took the data store, or when the member exits for a
   * local error.
   */
  void standDown();

  /**
   * A clean stop: stop renewing and give the right back if this member still holds it, so that a
   * standby need not wait for it to expire.
   */
  void release();
}
