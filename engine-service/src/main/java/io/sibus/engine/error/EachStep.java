package io.sibus.engine.error;

/**
 * Steps that must each be tried whatever the others fail with, such as the parts of a member's work
 * that a stop ends: one that fails must not leave the next running.
 */
public final class EachStep {
  private EachStep() {}

  /** Runs every step; returns the first failure, the later ones suppressed in it, or null. */
  public static Throwable run(Runnable... steps) {
    Throwable failure = null;
    for (Runnable step : steps) {
      try {
        step.run();
      } catch (RuntimeException | Error e) {
        if (failure == null) {
          failure = e;
        } else {
          failure.addSuppressed(e);
        }
      }
    }
    return failure;
  }

  /** Runs every step, then throws the first failure (the later ones suppressed in it), if any. */
  public static void runAll(Runnable... steps) {
    Throwable failure = run(steps);
    if (failure instanceof RuntimeException e) {
      throw e;
    }
    if (failure instanceof Error e) {
      throw e;
    }
  }
}
