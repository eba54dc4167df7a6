package io.sibus.engine.api;

import io.sibus.engine.error.ApiException;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.ext.web.RoutingContext;
import java.util.function.BiConsumer;
import java.util.function.LongFunction;

/**
 * Reads the body of a call served on Vert.x directly ({@link RouteAdmission}), as the REST layer
 * read it: {@code Expect: 100-continue} is answered, up to {@code kept} bytes are kept and the rest
 * is read on and thrown away, so that a sender without a length hears the answer rather than a
 * broken connection. Past the HTTP layer's own limit the call is answered at once and the exchange
 * cut.
 */
final class RequestBody {
  private final RoutingContext rc;
  private final long kept;
  private final long maxBodySize;
  private final LongFunction<ApiException> tooLarge;
  private final Buffer bytes = Buffer.buffer();
  private long length;
  private boolean answered;

  /**
   * @param tooLarge the answer to a body past {@code maxBodySize}, given the bytes read so far
   */
  RequestBody(RoutingContext rc, long kept, long maxBodySize, LongFunction<ApiException> tooLarge) {
    this.rc = rc;
    this.kept = kept;
    this.maxBodySize = maxBodySize;
    this.tooLarge = tooLarge;
  }

  /** Reads the body; once it has ended, hands {@code ended} the kept bytes and the whole length. */
  void read(BiConsumer<Buffer, Long> ended) {
    HttpServerRequest request = rc.request();
    request.handler(this::chunk);
    request.endHandler(
        end -> {
          if (!answered) {
            answered = true;
            ended.accept(bytes, length);
          }
        });
    if ("100-continue".equalsIgnoreCase(request.getHeader("Expect"))) {
      rc.response().writeContinue();
    }
    request.resume();
  }

  private void chunk(Buffer chunk) {
    if (answered) {
      return;
    }
    length += chunk.length();
    if (length <= kept) {
      bytes.appendBuffer(chunk);
    } else if (length > maxBodySize) {
      answered = true;
      rc.response().putHeader("Connection", "close");
      ErrorBody.end(rc.response(), tooLarge.apply(length)).onComplete(x -> cut());
    }
  }

  private void cut() {
    if (rc.request().version() == HttpVersion.HTTP_2) {
      rc.response().reset(); // this stream only: others share the connection
    } else {
      rc.request().connection().close();
    }
  }
}
