package io.sibus.datastore;

/**
 * The four kinds of error of the service integration bus (seed "Service integration error types").
 * Every error sibus reports is classified once, where it arises, into one of these.
 */
public enum ErrorClass {
  /** Corrected in place; the engine keeps running and keeps its quality of service. */
  RECOVERABLE,
  /**
   * Resolved by restarting the engine, on this member or another: the member stops (exit code 10
   * with a termination message) so that the engine restarts or fails over.
   */
  LOCAL,
  /**
   * A common-mode fault such as a corrupted data store: failing over would only spread it. The
   * engine stops processing, stays alive and is not failed over until a person fixes the cause.
   */
  GLOBAL,
  /**
   * Not detectable by the engine itself (a spinning or deadlocked thread); caught by the liveness
   * check, after which the container is restarted and a standby takes over.
   */
  UNDETECTABLE
}
