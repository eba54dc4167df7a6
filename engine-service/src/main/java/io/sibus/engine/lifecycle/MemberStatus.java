package io.sibus.engine.lifecycle;

import io.sibus.engine.config.StartMode;
import io.sibus.engine.error.ApiException;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.UUID;

/**
 * What this member knows of its engine, for the API, health checks and metrics. Written by the
 * lifecycle and, for what the engine's Lease says, by the election; read by anyone.
 */
@ApplicationScoped
public class MemberStatus {
  private volatile EngineState state = EngineState.STOPPED;
  private volatile Instant since = Instant.now();
  private volatile StartMode startMode = StartMode.NORMAL;
  private volatile long epoch;
  private volatile UUID incarnation;
  private volatile String activeMember;
  private volatile String activeUrl;
  private volatile boolean failoverSuppressed;
  private volatile String electedHolder;
  private volatile boolean electionSuppressed;
  private volatile boolean storeAvailable;
  private volatile boolean started;

  public EngineState state() {
    return state;
  }

  void state(EngineState value) {
    if (state != value) {
      state = value;
      since = Instant.now();
    }
  }

  public Instant since() {
    return since;
  }

  public StartMode startMode() {
    return startMode;
  }

  void startMode(StartMode value) {
    startMode = value;
  }

  public long epoch() {
    return epoch;
  }

  public UUID incarnation() {
    return incarnation;
  }

  void activation(long newEpoch, UUID newIncarnation) {
    epoch = newEpoch;
    incarnation = newIncarnation;
  }

  /**
   * The member that is (or is about to be) active: the other member that holds the engine's Lease
   * when the election names one, else the owner of the data store.
   */
  public String activeMember() {
    String holder = electedHolder;
    return holder != null ? holder : activeMember;
  }

  /** The active member's URL, when known (the Lease names members, not URLs). */
  public String activeUrl() {
    String holder = electedHolder;
    return holder == null || holder.equals(activeMember) ? activeUrl : null;
  }

  void activeMember(String member, String url) {
    activeMember = member;
    activeUrl = url;
  }

  /** True when failover is suppressed, by the data store's owner row or by the engine's Lease. */
  public boolean failoverSuppressed() {
    return failoverSuppressed || electionSuppressed;
  }

  /** Suppression as the data store records it (a global error of the engine). */
  boolean storeSuppressed() {
    return failoverSuppressed;
  }

  void failoverSuppressed(boolean value) {
    failoverSuppressed = value;
  }

  /**
   * What the election saw at its last look: the other member that holds the right to try (null when
   * none does, or when this member does), and whether failover is suppressed there.
   */
  public void electionSeen(String otherHolder, boolean suppressed) {
    electedHolder = otherHolder;
    electionSuppressed = suppressed;
  }

  /** True while the active member can reach its data store. */
  public boolean storeAvailable() {
    return storeAvailable;
  }

  void storeAvailable(boolean value) {
    storeAvailable = value;
  }

  /** True once the member's lifecycle has begun (the startup probe). */
  public boolean started() {
    return started;
  }

  void started(boolean value) {
    started = value;
  }

  /** The answer to a messaging request this member cannot serve in its current state. */
  public ApiException notServing() {
    EngineState current = state;
    String message;
    if (current == EngineState.STANDBY && activeMember != null) {
      message = "This member is a standby; the active member is " + activeMember + ".";
    } else {
      message = "This member cannot serve messages: the engine is " + current + " here.";
    }
    return new ApiException(
            503,
            "SIBUS0205E",
            message,
            current == EngineState.GLOBAL_ERROR
                ? "Correct the global error (see GET /api/v1/engine), then start the engine."
                : "Send the request to the active member, or retry shortly.")
        .detail("state", current.name())
        .detail("activeMember", activeMember)
        .detail("activeUrl", activeUrl)
        .retryAfter(1);
  }
}
