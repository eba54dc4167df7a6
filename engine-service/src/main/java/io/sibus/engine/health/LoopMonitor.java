package io.sibus.engine.health;

import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Heartbeats of the engine's own loops. A loop that has work and has not moved for the stall
 * timeout is stuck (spinning, blocked, deadlocked): the liveness check fails so that the container
 * is restarted, the undetectable-error class of the seeds.
 */
@ApplicationScoped
public class LoopMonitor {
  private final List<Loop> loops = new CopyOnWriteArrayList<>();

  /** One monitored loop. */
  public static final class Loop {
    private final String name;
    private volatile long lastBeatNanos = System.nanoTime();
    private volatile boolean busy;

    Loop(String name) {
      this.name = name;
    }

    /** The loop made progress. */
    public void beat() {
      lastBeatNanos = System.nanoTime();
    }

    /** The loop has work (true) or waits for work (false); either way it made progress. */
    public void busy(boolean value) {
      busy = value;
      beat();
    }

    public String name() {
      return name;
    }
  }

  public Loop register(String name) {
    Loop loop = new Loop(name);
    loops.add(loop);
    return loop;
  }

  public void unregister(Loop loop) {
    loops.remove(loop);
  }

  /** The first loop that is busy and has not beaten within {@code timeout}, if any. */
  public Optional<String> stalled(Duration timeout) {
    long now = System.nanoTime();
    for (Loop loop : loops) {
      long idleNanos = now - loop.lastBeatNanos;
      if (loop.busy && idleNanos > timeout.toNanos()) {
        return Optional.of(
            loop.name + " has had work and no progress for " + idleNanos / 1_000_000 + " ms");
      }
    }
    return Optional.empty();
  }
}
