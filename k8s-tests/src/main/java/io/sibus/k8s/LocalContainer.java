package io.sibus.k8s;

import java.time.Duration;

/** A running container of a pod: a local process standing for it. */
interface LocalContainer {
  boolean alive();

  /** The exit code once the container has ended, else null. */
  Integer exitCode();

  /** SIGTERM, then SIGKILL when it has not ended within {@code grace}. */
  void terminate(Duration grace);

  /** SIGKILL. */
  void kill();

  /** The process id, for {@code containerID} and memory figures; -1 when there is none. */
  long pid();
}
