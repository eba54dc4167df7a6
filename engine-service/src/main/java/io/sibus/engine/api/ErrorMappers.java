package io.sibus.engine.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.sibus.engine.error.ApiException;
import jakarta.ws.rs.NotAllowedException;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.NotSupportedException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import java.util.concurrent.CompletionException;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** Every failure leaves the API as a JSON error with a code; never a stack trace. */
public class ErrorMappers {
  private static final Logger LOG = Logger.getLogger(ErrorMappers.class);

  @ServerExceptionMapper
  public Response api(ApiException e) {
    return ErrorBody.of(e);
  }

  @ServerExceptionMapper
  public Response completion(CompletionException e) {
    return ErrorBody.of(answer(e));
  }

  @ServerExceptionMapper
  public Response json(JsonProcessingException e) {
    return ErrorBody.of(notJson());
  }

  /** A request body that does not parse as the JSON the call takes. */
  static ApiException notJson() {
    return ApiException.badRequest("body", "not valid JSON");
  }

  @ServerExceptionMapper
  public Response web(WebApplicationException e) {
    return ErrorBody.of(answer(e));
  }

  @ServerExceptionMapper
  public Response unexpected(Throwable e) {
    return ErrorBody.of(answer(e));
  }

  /**
   * The API's answer to a failure: an {@link ApiException} as it is, the framework's own failures
   * by their status, anything else a logged 500 (SIBUS0210E).
   */
  static ApiException answer(Throwable e) {
    if (e instanceof CompletionException && e.getCause() != null) {
      return answer(e.getCause());
    }
    if (e instanceof ApiException api) {
      return api;
    }
    if (e instanceof WebApplicationException web) {
      return webAnswer(web);
    }
    LOG.error("SIBUS0210E Unexpected failure of an API request", e);
    return new ApiException(
        500,
        "SIBUS0210E",
        "The engine failed to process the request.",
        "Retry; if it fails again, report it with the member's log.");
  }

  private static ApiException webAnswer(WebApplicationException e) {
    int status = e.getResponse().getStatus();
    if (e instanceof NotFoundException) {
      return new ApiException(
          404, "SIBUS0212E", "No such resource.", "Check the path against the API.");
    }
    if (e instanceof NotAllowedException) {
      return new ApiException(
          405, "SIBUS0213E", "Method not allowed on this resource.", "Check the API.");
    }
    if (e instanceof NotSupportedException) {
      return new ApiException(
          415, "SIBUS0214E", "Unsupported content type.", "Send application/json.");
    }
    if (status == 413) {
      return ApiException.bodyTooLarge();
    }
    if (status >= 400 && status < 500) {
      return new ApiException(status, "SIBUS0201E", "The request is not valid.", "Correct it.");
    }
    ApiException failed = answer(new IllegalStateException("the HTTP layer failed", e));
    return status >= 500
        ? new ApiException(status, failed.code(), failed.getMessage(), failed.userAction())
        : failed;
  }
}
