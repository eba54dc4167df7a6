package io.sibus.engine.error;

import io.sibus.datastore.ErrorClass;
import java.time.Instant;

/** The last classified error of the engine, as {@code GET /api/v1/engine} reports it. */
public record EngineError(
    ErrorClass errorClass, String code, String message, String userAction, Instant at) {

  public static EngineError now(
      ErrorClass errorClass, String code, String message, String userAction) {
    return new EngineError(errorClass, code, message, userAction, Instant.now());
  }
}
