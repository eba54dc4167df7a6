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

  public TokenFilter(ApiToken token) {
    this.token = token;
  }

  @ServerRequestFilter(preMatching = true)
  public Optional<Response> check(ContainerRequestContext request) {
    if (!request.getUriInfo().getPath().startsWith("/api/") || !token.required()) {
      return Optional.empty();
    }
    String header = request.getHeaderString("Authorization");
    if (header != null
        && header.startsWith("Bearer ")
        && token.matches(header.substring(7).trim())) {
      return Optional.empty();
    }
    return Optional.of(
        ErrorBody.of(
            new ApiException(
                401,
                "SIBUS0204E",
                header == null
                    ? "This engine requires a bearer token."
                    : "The bearer token is not valid.",
                "Send 'Authorization: Bearer <token>' with the engine's token.")));
  }
}
