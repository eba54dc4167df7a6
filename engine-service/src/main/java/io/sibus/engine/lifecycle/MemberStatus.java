package io.sibus.engine.lifecycle;

import io.sibus.engine.config.StartMode;
import io.sibus.engine.error.ApiException;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.UUID;

/**
 * What this member knows of its engine, for the API, health checks and metrics. Written only by the
 * lifecycle; read by anyone.
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

  public String activeMember() {
    return activeMember;
  }

  public String activeUrl() {
    return activeUrl;
  }

  void activeMember(String member, String url) {
    activeMember = member;
    activeUrl = url;
  }

  public boolean failoverSuppressed() {
    return failoverSuppressed;
  }

  void failoverSuppressed(boolean value) {
    failoverSuppressed = value;
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
