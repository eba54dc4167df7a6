package io.sibus.engine.api;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.RoutingContext;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * What the calls served on Vert.x directly, outside the REST layer ({@link SendRoute}, {@link
 * DeliveryRoutes}), share so that they answer as the rest of the API: the same token check, error
 * bodies and {@code Content-Type}, and the REST layer's own refusal of a call that asks for an
 * answer other than JSON.
 */
final class ApiRoutes {
  /** As the REST layer answers a call that succeeds (its errors say no charset: ErrorBody). */
  static final String JSON = "application/json;charset=UTF-8";

  private ApiRoutes() {}

  /**
   * Whether the route serves this call. A call whose {@code Accept} header excludes JSON goes on to
   * the REST layer, which refuses it (406) as it refuses any other call; a call without a valid
   * token is answered here (401).
   */
  static boolean admit(RoutingContext rc, TokenFilter tokens) {
    if (!acceptsJson(rc.request().getHeader("Accept"))) {
      rc.next();
      return false;
    }
    // The path the route matched (percent-encoded letters decoded), as the REST layer's filter saw.
    var refusal = tokens.refusal(rc.normalizedPath(), rc.request().getHeader("Authorization"));
    if (refusal.isPresent()) {
      ErrorBody.end(rc.response(), refusal.get());
      return false;
    }
    return true;
  }

  /**
   * Answers the call once {@code work} completes, on the call's own Vert.x context: {@code status}
   * with the JSON that {@code json} writes of the result, or the API's error for any failure,
   * thrown or completed.
   */
  static <T> void answer(
      RoutingContext rc,
      Supplier<? extends CompletionStage<T>> work,
      int status,
      Function<T, Buffer> json) {
    Context context = Vertx.currentContext();
    CompletionStage<T> stage;
    try {
      stage = work.get();
    } catch (Throwable e) { // every failure is answered, as the REST layer answered it
      stage = CompletableFuture.failedFuture(e);
    }
    stage.whenComplete(
        (result, failure) -> {
          if (Vertx.currentContext() == context) {
            end(rc, status, json, result, failure);
          } else {
            context.runOnContext(v -> end(rc, status, json, result, failure));
          }
        });
  }

  private static <T> void end(
      RoutingContext rc, int status, Function<T, Buffer> json, T result, Throwable failure) {
    if (rc.response().closed()) {
      return; // the caller has gone away: nobody to answer
    }
    if (failure == null) {
      try {
        Buffer body = json.apply(result);
        rc.response().setStatusCode(status).putHeader("Content-Type", JSON).end(body);
        return;
      } catch (Throwable e) {
        failure = e;
      }
    }
    ErrorBody.end(rc.response(), ErrorMappers.answer(failure));
  }

  /**
   * Whether an {@code Accept} header lets the answer be JSON: no header, or a media range that
   * covers {@code application/json} with a quality above zero.
   */
  static boolean acceptsJson(String accept) {
    if (accept == null || accept.isBlank()) {
      return true;
    }
    for (String range : accept.split(",")) {
      String[] parts = range.split(";");
      String type = parts[0].trim().toLowerCase(Locale.ROOT);
      boolean json =
          type.equals("*/*") || type.equals("application/*") || type.equals("application/json");
      if (json && !excluded(parts)) {
        return true;
      }
    }
    return false;
  }

  private static boolean excluded(String[] parameters) {
    for (int i = 1; i < parameters.length; i++) {
      String[] parameter = parameters[i].split("=", 2);
      if (parameter.length == 2 && parameter[0].trim().equalsIgnoreCase("q")) {
        try {
          return Double.parseDouble(parameter[1].trim()) <= 0;
        } catch (NumberFormatException e) {
          return false; // an unreadable quality counts as none given
        }
      }
    }
    return false;
  }
}
