package io.sibus.cli;

import io.sibus.local.MemberProcess;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;

/** What the local members report about themselves, and waiting for one of them to be active. */
final class MemberStates {
  private static final long POLL_MILLIS = 250;

  private MemberStates() {}

  /**
   * The first member to report ACTIVE. Fails when every member exited or none became active within
   * {@code timeout}; returns null when the bus is being stopped meanwhile (Ctrl-C).
   */
  static MemberProcess awaitActive(LocalBus bus, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!bus.stopped()) {
      List<MemberProcess> members = bus.members();
      for (MemberProcess member : members) {
        if ("ACTIVE".equals(member.reportedState())) {
          return member;
        }
      }
      if (bus.stopped()) {
        return null; // the members were stopped on purpose, while this thread waited for them
      }
      if (members.stream().noneMatch(MemberProcess::alive)) {
        throw new CommandFailure(
            "every member of engine " + LocalBus.ENGINE + " exited; see " + logs(members));
      }
      if (System.nanoTime() > deadline) {
        throw new CommandFailure(
            "no member of engine "
                + LocalBus.ENGINE
                + " became ACTIVE within "
                + timeout.toSeconds()
                + " s ("
                + summary(members)
                + "); see "
                + logs(members));
      }
      pause();
    }
    return null;
  }

  /** {@code me1-0 STANDBY, me1-1 DOWN}. */
  static String summary(List<MemberProcess> members) {
    return members.stream()
        .map(m -> m.name() + " " + m.reportedState())
        .collect(Collectors.joining(", "));
  }

  static String logs(List<MemberProcess> members) {
    return members.stream().map(m -> m.logFile().toString()).collect(Collectors.joining(" and "));
  }

  private static void pause() {
    try {
      Thread.sleep(POLL_MILLIS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CommandFailure("interrupted while waiting for an active member", e);
    }
  }
}
