package io.sibus.engine.api;

import io.sibus.engine.error.ApiException;
import io.vertx.core.Future;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.LinkedHashMap;
import java.util.Map;

/** Builds the JSON error answer of the API: {@code {"code", "message", "userAction", ...}}. */
final class ErrorBody {
  private ErrorBody() {}

  static Response of(ApiException e) {
    Response.ResponseBuilder response =
        Response.status(e.status()).type(MediaType.APPLICATION_JSON).entity(fields(e));
    if (e.retryAfterSeconds() != null) {
      response.header("Retry-After", e.retryAfterSeconds());
    }
    if (e.status() == 401) {
      response.header("WWW-Authenticate", "Bearer");
    }
    return response.build();
  }

  /** The same answer, for a route served by Vert.x directly ({@link ApiRoutes}). */
  static Future<Void> end(HttpServerResponse response, ApiException e) {
    response.setStatusCode(e.status()).putHeader("Content-Type", MediaType.APPLICATION_JSON);
    if (e.retryAfterSeconds() != null) {
      response.putHeader("Retry-After", e.retryAfterSeconds().toString());
    }
    if (e.status() == 401) {
      response.putHeader("WWW-Authenticate", "Bearer");
    }
    return response.end(new JsonObject(fields(e)).encode());
  }

  private static Map<String, Object> fields(ApiException e) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("code", e.code());
    body.put("message", e.getMessage());
    body.put("userAction", e.userAction());
    body.putAll(e.details());
    return body;
  }
}
