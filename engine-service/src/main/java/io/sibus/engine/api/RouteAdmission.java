package io.sibus.engine.api;

import io.quarkus.runtime.configuration.MemorySize;
import io.sibus.engine.error.ApiException;
import io.vertx.ext.web.RoutingContext;
import jakarta.inject.Singleton;
import java.util.function.LongFunction;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The way into a call served on Vert.x directly ({@link SendRoute}, {@link DeliveryRoutes}): which
 * calls a route serves rather than passes on, the token check, and the body read up to the HTTP
 * layer's own limit. Held in one place so that every route admits and reads as the others do.
 */
@Singleton // as TokenFilter: no client proxy on every call
public class RouteAdmission {
  private final TokenFilter tokens;
  private final long maxBodySize;

  public RouteAdmission(
      TokenFilter tokens,
      @ConfigProperty(name = "quarkus.http.limits.max-body-size") MemorySize maxBodySize) {
    this.tokens = tokens;
    this.maxBodySize = maxBodySize.asLongValue();
  }

  /**
   * Whether the route serves this call. A call whose {@code Accept} header excludes JSON, or whose
   * declared length is past what the HTTP layer reads at all, goes on: the REST layer and the HTTP
   * layer refuse it (406, 413) as they refuse any other call. A call without a valid token is
   * answered here (401).
   */
  boolean admit(RoutingContext rc) {
    if (!ApiRoutes.acceptsJson(rc.request().getHeader("Accept"))
        || declaredLength(rc.request().getHeader("Content-Length")) > maxBodySize) {
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
   * The call's body, of which {@code kept} bytes are kept; past the HTTP layer's limit the call is
   * answered with {@code tooLarge} (given the bytes read so far) and the exchange cut.
   */
  RequestBody body(RoutingContext rc, long kept, LongFunction<ApiException> tooLarge) {
    return new RequestBody(rc, kept, maxBodySize, tooLarge);
  }

  /** The HTTP layer's own limit of a body ({@code quarkus.http.limits.max-body-size}). */
  long maxBodySize() {
    return maxBodySize;
  }

  private static long declaredLength(String header) {
    try {
      return header == null ? -1 : Long.parseLong(header.trim());
    } catch (NumberFormatException e) {
      return -1; // the HTTP layer's own decoder refuses it
    }
  }
}
