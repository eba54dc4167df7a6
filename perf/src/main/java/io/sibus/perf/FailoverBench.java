package io.sibus.perf;

import io.sibus.local.DeliveryLedger;
import io.sibus.local.LoadRunner;
import io.sibus.local.MemberProcess;
import io.sibus.local.MemberSetClient;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * {@code sibus perf --failover}: two standalone members of one engine under a steady assured
 * persistent load, the active one killed with kill -9 again and again (each time relaunched as a
 * new process that waits as the standby), then the load stopped and the members left idle. It
 * measures start times, failover and write gap per kill, idle memory, and the delivery ledger.
 */
final class FailoverBench {
  static final int PRODUCERS = 4;
  static final int CONSUMERS = 2;
  static final Duration PAUSE_BETWEEN_SENDS = Duration.ofMillis(2);

  private static final Duration START_TIMEOUT = Duration.ofSeconds(90);
  private static final Duration FAILOVER_TIMEOUT = Duration.ofSeconds(60);
  private static final Duration LOAD_BETWEEN_KILLS = Duration.ofSeconds(2);
  private static final Duration IDLE = Duration.ofSeconds(10);

  /** LoadRunner looks for the first write after a kill up to this long after it. */
  private static final long GAP_WINDOW_MS = 5_000;

  private final StandaloneMembers members;
  private final int kills;
  private final Duration firstLoad;
  private final List<String> urls = new CopyOnWriteArrayList<>();
  private final List<Round> rounds = new ArrayList<>();
  private MemberProcess active;
  private MemberProcess standby;
  private int launches;
  private long emptyStoreMs;
  private long existingStoreMs;
  private long firstStandbyMs;

  /** One kill: when, how long to a new ACTIVE and to the first write, and the relaunch. */
  private record Round(
      Instant wallClock, long killedAt, long toActiveMs, long toFirstWriteMs, long relaunchMs) {}

  /**
   * @param firstLoad how long the load runs before the first kill (the client's JIT warms up)
   */
  FailoverBench(StandaloneMembers members, int kills, Duration firstLoad) {
    this.members = members;
    this.kills = kills;
    this.firstLoad = firstLoad;
  }

  MemberFigures run() throws InterruptedException {
    startMembers();
    LoadRunner load =
        new LoadRunner(
                StandaloneMembers.DESTINATION,
                "ASSURED_PERSISTENT",
                () -> new MemberSetClient(urls, null),
                () -> new MemberSetClient(urls, null))
            .start(PRODUCERS, CONSUMERS, PAUSE_BETWEEN_SENDS);
    try {
      Thread.sleep(firstLoad.toMillis());
      for (int n = 0; n < kills; n++) {
        Round round = killActive(load);
        rounds.add(round);
        System.out.printf(
            "kill %d at %s: new ACTIVE after %d ms, first write after %d ms,"
                + " relaunch STANDBY after %d ms%n",
            n + 1,
            round.wallClock(),
            round.toActiveMs(),
            round.toFirstWriteMs(),
            round.relaunchMs());
        Thread.sleep(LOAD_BETWEEN_KILLS.toMillis());
      }
    } catch (InterruptedException | RuntimeException e) {
      load.close();
      throw e;
    }
    DeliveryLedger.Report ledger = load.finish(Duration.ofSeconds(60));
    System.out.println("load stopped: " + ledger + "; idle for " + IDLE.toSeconds() + " s");
    Thread.sleep(IDLE.toMillis());
    return figures(load, ledger);
  }

  /**
   * The first member on the empty store, the same member restarted on it, and a second member that
   * waits as the standby: each timed from its launch.
   */
  private void startMembers() throws InterruptedException {
    StandaloneMembers.Launch first = launch();
    emptyStoreMs = members.awaitState(first.process(), "ACTIVE", first.launchedAt(), START_TIMEOUT);
    // A restart after an orderly stop, as a rolling update does: the store and its tables exist.
    first.process().terminate(Duration.ofSeconds(10));
    StandaloneMembers.Launch again = launch();
    existingStoreMs =
        members.awaitState(again.process(), "ACTIVE", again.launchedAt(), START_TIMEOUT);
    StandaloneMembers.Launch second = launch();
    firstStandbyMs =
        members.awaitState(second.process(), "STANDBY", second.launchedAt(), START_TIMEOUT);
    active = again.process();
    standby = second.process();
    urls.addAll(List.of(active.url(), standby.url()));
    System.out.printf(
        "start to ACTIVE: %d ms (empty store), %d ms (existing store); to STANDBY: %d ms%n",
        emptyStoreMs, existingStoreMs, firstStandbyMs);
  }

  /**
   * Kills the active member, waits for the standby to report ACTIVE and for the load's first
   * acknowledged send after it, then relaunches the killed member and waits until it is STANDBY.
   */
  private Round killActive(LoadRunner load) throws InterruptedException {
    // The wall clock too, to find the kill in the members' logs.
    Instant wallClock = Instant.now();
    long killedAt = System.nanoTime();
    active.kill();
    long toActive = members.awaitState(standby, "ACTIVE", killedAt, FAILOVER_TIMEOUT);
    // The relaunch waits for the first write, so that a starting JVM on the same cores does not
    // lengthen the gap it is meant to measure.
    long toFirstWrite = awaitWrite(load, load.acknowledgedCount(), killedAt);
    StandaloneMembers.Launch relaunch = launch();
    urls.set(urls.indexOf(active.url()), relaunch.process().url());
    long relaunchMs =
        members.awaitState(relaunch.process(), "STANDBY", relaunch.launchedAt(), START_TIMEOUT);
    active = standby;
    standby = relaunch.process();
    return new Round(wallClock, killedAt, toActive, toFirstWrite, relaunchMs);
  }

  /** Waits until a send is acknowledged after {@code acknowledged}; ms from {@code since}. */
  private static long awaitWrite(LoadRunner load, int acknowledged, long since)
      throws InterruptedException {
    long deadline = System.nanoTime() + FAILOVER_TIMEOUT.toNanos();
    while (load.acknowledgedCount() <= acknowledged) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("no send was acknowledged after the failover");
      }
      Thread.sleep(5);
    }
    return (System.nanoTime() - since) / 1_000_000;
  }

  private MemberFigures figures(LoadRunner load, DeliveryLedger.Report ledger) {
    List<Long> gaps = new ArrayList<>();
    int beyondWindow = 0;
    for (Round round : rounds) {
      long gap = load.writeGapMillis(round.killedAt());
      // LoadRunner only sees writes up to 5 s after the kill: past that, the gap it returns misses
      // the first write after the kill, and the time to that write is the honest lower bound.
      if (gap < 0 || round.toFirstWriteMs() >= GAP_WINDOW_MS) {
        gap = Math.max(gap, round.toFirstWriteMs());
        beyondWindow++;
      }
      gaps.add(gap);
    }
    // The idle memory is labelled by role: make sure the roles are still the ones tracked.
    if (!"ACTIVE".equals(active.reportedState()) || !"STANDBY".equals(standby.reportedState())) {
      throw new IllegalStateException(
          "after the load, "
              + active.name()
              + " is not ACTIVE or "
              + standby.name()
              + " not STANDBY");
    }
    return new MemberFigures(
        emptyStoreMs,
        existingStoreMs,
        firstStandbyMs,
        rounds.stream().map(Round::relaunchMs).toList(),
        rounds.stream().map(Round::toActiveMs).toList(),
        gaps,
        beyondWindow,
        ledger,
        load.failures(),
        EngineProbe.rssMiB(active.pid()),
        EngineProbe.rssMiB(standby.pid()));
  }

  private StandaloneMembers.Launch launch() {
    return members.launch(StandaloneMembers.ENGINE + "-" + launches++);
  }
}
