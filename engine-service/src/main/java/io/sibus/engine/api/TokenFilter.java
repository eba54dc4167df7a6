package io.sibus.engine.api;

import io.sibus.engine.error.ApiException;
import jakarta.inject.Singleton;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Response;
import java.util.Optional;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * When a token is configured, every {@code /api/v1} call must carry {@code Authorization: Bearer
 * <token>}. Probes and metrics ({@code /q/...}) stay open.
 */
@Singleton
public class TokenFilter {
  private final ApiToken token;
  private final io.sibus.engine.streams.Peers peers;

  public TokenFilter(ApiToken token, io.sibus.engine.streams.Peers peers) {
    this.token = token;
    this.peers = peers;
  }

  @ServerRequestFilter(preMatching = true)
  public Optional<Response> check(ContainerRequestContext request) {
    return refusal(request.getUriInfo().getPath(), request.getHeaderString("Authorization"))
        .map(ErrorBody::of);
  }

  /**
   * Why a call to {@code path} with this {@code Authorization} header is refused; empty when it may
   * go on. Routes that Vert.x serves without the REST layer ({@link RouteAdmission}) ask it too.
   */
  Optional<ApiException> refusal(String path, String header) {
    if (!path.startsWith("/api/")) {
      return Optional.empty();
    }
    String given =
        header != null && header.startsWith("Bearer ") ? header.substring(7).trim() : null;
    if (path.startsWith("/api/v1/streams/")) {
      // Engines call each other with the bus's shared secret, not with the applications' token.
      Optional<String> secret = peers.secret();
      if (secret.isEmpty()
          || (given != null
              && java.security.MessageDigest.isEqual(
                  given.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                  secret.get().getBytes(java.nio.charset.StandardCharsets.UTF_8)))) {
        return Optional.empty();
      }
      return Optional.of(refuse(header, "the bus's shared secret"));
    }
    if (!token.required() || token.matches(given)) {
      return Optional.empty();
    }
    return Optional.of(refuse(header, "the engine's token"));
  }

  private static ApiException refuse(String header, String what) {
    return new ApiException(
        401,
        "SIBUS0204E",
        header == null ? "This call requires a bearer token." : "The bearer token is not valid.",
        "Send 'Authorization: Bearer <token>' with " + what + ".");
  }
}
