package io.sibus.engine.lifecycle;

/** The state of the engine as this member runs it, owned by the lifecycle thread. */
public enum EngineState {
  /** Not running on this member: started only by the admin API (or at process start). */
  STOPPED,
  /** Connecting to the data store, waiting up to the start-up timeout. */
  STARTING,
  /** Connected and waiting to take the data store: a hot standby. */
  STANDBY,
  /** This member holds the data store and serves the engine. */
  ACTIVE,
  /** Draining work and releasing the data store. */
  STOPPING,
  /** A recovery start: resolving in-doubt work and verifying the store before stopping. */
  RECOVERING,
  /**
   * Disabled for high availability: the data store could not be reached within the start-up
   * timeout. Re-enabled only by a restart of the member or an explicit start.
   */
  DISABLED,
  /**
   * A global error (such as a corrupted data store) stopped processing. The member stays alive and
   * keeps the data store so that no other member takes over; a person must fix the cause.
   */
  GLOBAL_ERROR
}
