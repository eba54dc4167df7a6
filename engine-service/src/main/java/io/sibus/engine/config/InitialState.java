package io.sibus.engine.config;

/** Whether the engine starts when its member process starts. */
public enum InitialState {
  /** The engine starts with the process. */
  STARTED,
  /** The engine stays stopped until started through the admin API. */
  STOPPED
}
