package io.sibus.cli.backup;

import java.io.PrintWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The plain log of a backup or restore: numbered steps with what each did, so that a failure can
 * say what was done, what was not, and how to continue.
 */
public final class Progress {
  private final PrintWriter out;
  private final List<String> steps;
  private final List<String> done = new ArrayList<>();
  private int current = -1;

  public Progress(PrintWriter out, List<String> steps) {
    this.out = out;
    this.steps = steps;
  }

  public void step(int index) {
    current = index;
    out.printf("[%d/%d] %s%n", index + 1, steps.size(), steps.get(index));
    out.flush();
  }

  public void detail(String format, Object... args) {
    out.printf("      " + format + "%n", args);
    out.flush();
  }

  public void stepDone() {
    done.add(steps.get(current));
  }

  /** The one-paragraph account of a failure: where, what was done, what was not. */
  public String failure(String reason, String rerun) {
    List<String> notDone = steps.subList(current < 0 ? 0 : current, steps.size());
    return "stopped at step "
        + (current + 1)
        + " ("
        + (current < 0 ? "start" : steps.get(current))
        + "): "
        + reason
        + ". Done: "
        + (done.isEmpty() ? "nothing" : String.join("; ", done))
        + ". Not done: "
        + String.join("; ", notDone)
        + ". It is safe to run it again: "
        + rerun
        + " ["
        + Instant.now()
        + "]";
  }
}
