package io.sibus.engine.api;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * What the calls served on Vert.x directly, outside the REST layer ({@link SendRoute}, {@link
 * DeliveryRoutes}), share so that they answer as the rest of the API: the same error bodies and
 * {@code Content-Type}, and the REST layer's own refusal of a call that asks for an answer other
 * than JSON ({@link RouteAdmission} admits them).
 */
final class ApiRoutes {
  /** As the REST layer answers a call that succeeds (its errors say no charset: ErrorBody). */
  static final String JSON = "application/json;charset=UTF-8";

  /** The media ranges that cover JSON, the least specific first. */
  private static final List<String> JSON_RANGES =
      List.of("*/*", "application/*", "application/json");

  private ApiRoutes() {}

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
    answer(rc, work, status, json, result -> {});
  }

  /**
   * As {@link #answer(RoutingContext, Supplier, int, Function)}; a result that is ready once the
   * caller has gone away, and so cannot be answered, goes to {@code unanswered}.
   */
  static <T> void answer(
      RoutingContext rc,
      Supplier<? extends CompletionStage<T>> work,
      int status,
      Function<T, Buffer> json,
      Consumer<T> unanswered) {
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
            end(rc, status, json, result, failure, unanswered);
          } else {
            context.runOnContext(v -> end(rc, status, json, result, failure, unanswered));
          }
        });
  }

  private static <T> void end(
      RoutingContext rc,
      int status,
      Function<T, Buffer> json,
      T result,
      Throwable failure,
      Consumer<T> unanswered) {
    if (rc.response().closed()) { // the caller has gone away: nobody to answer
      if (failure == null) {
        unanswered.accept(result);
      }
      return;
    }
    Buffer body = null;
    if (failure == null) {
      try {
        body = json.apply(result);
      } catch (Throwable e) {
        failure = e;
      }
    }
    if (failure != null) {
      ErrorBody.end(rc.response(), ErrorMappers.answer(failure));
      return;
    }
    rc.response().setStatusCode(status).putHeader("Content-Type", JSON).end(body);
  }

  /** {@code application/json}, with or without parameters. */
  static boolean isJson(String contentType) {
    return contentType != null
        && contentType.split(";", 2)[0].trim().equalsIgnoreCase("application/json");
  }

  /**
   * Whether an {@code Accept} header lets the answer be JSON: no header, or a quality above zero
   * for {@code application/json} in the most specific media range that covers it (RFC 9110 12.5.1:
   * {@code application/json;q=0, *}{@code /*} excludes JSON).
   */
  static boolean acceptsJson(String accept) {
    if (accept == null || accept.isBlank()) {
      return true;
    }
    int specificity = -1;
    boolean accepted = false;
    for (String range : accept.split(",")) {
      String[] parts = range.split(";");
      int covers = JSON_RANGES.indexOf(parts[0].trim().toLowerCase(Locale.ROOT));
      if (covers > specificity) {
        specificity = covers;
        accepted = !excluded(parts);
      } else if (covers == specificity && covers >= 0) {
        accepted |= !excluded(parts);
      }
    }
    return accepted;
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
