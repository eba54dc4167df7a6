package io.sibus.engine.api;

import io.sibus.engine.error.ApiException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.LinkedHashMap;
import java.util.Map;

/** Builds the JSON error answer of the API: {@code {"code", "message", "userAction", ...}}. */
final class ErrorBody {
  private ErrorBody() {}

  static Response of(ApiException e) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("code", e.code());
    body.put("message", e.getMessage());
    body.put("userAction", e.userAction());
    body.putAll(e.details());
    Response.ResponseBuilder response =
        Response.status(e.status()).type(MediaType.APPLICATION_JSON).entity(body);
    if (e.retryAfterSeconds() != null) {
      response.header("Retry-After", e.retryAfterSeconds());
    }
    if (e.status() == 401) {
      response.header("WWW-Authenticate", "Bearer");
    }
    return response.build();
  }
}
