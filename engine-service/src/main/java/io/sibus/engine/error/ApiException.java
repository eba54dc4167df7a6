package io.sibus.engine.error;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A request that cannot be served, answered as {@code {"code", "message", "userAction"}} with an
 * HTTP status. Never carries a stack trace to the client.
 */
public class ApiException extends RuntimeException {
  private final int status;
  private final String code;
  private final String userAction;
  private final Map<String, Object> details = new LinkedHashMap<>();
  private Integer retryAfterSeconds;

  public ApiException(int status, String code, String message, String userAction) {
    super(message, null, false, false);
    this.status = status;
    this.code = code;
    this.userAction = userAction;
  }

  public static ApiException badRequest(String field, String problem) {
    return new ApiException(
            400,
            "SIBUS0201E",
            "Invalid " + field + ": " + problem + ".",
            "Correct " + field + " and send the request again.")
        .detail("field", field);
  }

  /** A request body past what the HTTP layer reads ({@code quarkus.http.limits.max-body-size}). */
  public static ApiException bodyTooLarge() {
    return new ApiException(413, "SIBUS0203E", "The request body is too large.", "Send less.");
  }

  public static ApiException unknownDestination(String name) {
    return new ApiException(
        404,
        "SIBUS0202E",
        "Destination '" + name + "' does not exist on this engine.",
        "Check the destination name, or define the destination in the bus configuration.");
  }

  /** A receive, acknowledgement or release of a destination that another engine holds. */
  public static ApiException localizedElsewhere(String name, String engine, List<String> urls) {
    return new ApiException(
            409,
            "SIBUS0215E",
            "Destination "
                + name
                + " is localized on messaging engine "
                + engine
                + "; its messages are received there.",
            "Receive from messaging engine "
                + engine
                + (urls.isEmpty() ? "." : " at " + urls + "."))
        .detail("localizedOn", engine)
        .detail("urls", urls);
  }

  public static ApiException receiptGone(String receipt) {
    return new ApiException(
        410,
        "SIBUS0206E",
        "Receipt "
            + receipt
            + " is unknown or its lock has expired; the message is, or will be,"
            + " delivered again.",
        "Receive the message again; use a longer lockMs when processing takes longer.");
  }

  public ApiException detail(String key, Object value) {
    if (value != null) {
      details.put(key, value);
    }
    return this;
  }

  public ApiException retryAfter(int seconds) {
    this.retryAfterSeconds = seconds;
    return this;
  }

  public int status() {
    return status;
  }

  public String code() {
    return code;
  }

  public String userAction() {
    return userAction;
  }

  public Map<String, Object> details() {
    return details;
  }

  public Integer retryAfterSeconds() {
    return retryAfterSeconds;
  }
}
