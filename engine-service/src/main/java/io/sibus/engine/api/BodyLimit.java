package io.sibus.engine.api;

import io.sibus.engine.config.SibusConfig;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * Refuses an oversized message by its Content-Length before its body is read, with the JSON error
 * of the API. Bodies sent without a length are checked once read.
 */
@ApplicationScoped
public class BodyLimit {
  private final int maxSize;

  public BodyLimit(SibusConfig config) {
    this.maxSize = config.engine().maxMessageSize();
  }

  void install(@Observes Router router) {
    router
        .route()
        .order(-10)
        .handler(
            rc -> {
              String length = rc.request().getHeader("Content-Length");
              if (rc.request().method() == HttpMethod.POST
                  && length != null
                  && rc.normalizedPath().startsWith("/api/v1/destinations/")
                  && rc.normalizedPath().endsWith("/messages")
                  && tooLong(length)) {
                rc.response().putHeader("Connection", "close");
                ErrorBody.end(
                    rc.response(),
                    SendRequestParser.tooLarge(Long.parseLong(length.trim()), maxSize));
                return;
              }
              rc.next();
            });
  }

  private boolean tooLong(String length) {
    try {
      return Long.parseLong(length.trim()) > maxSize;
    } catch (NumberFormatException e) {
      return false;
    }
  }
}
