package io.sibus.local;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

/** How an {@link EngineClient} exchanges one request with an engine member. */
public enum HttpTransport {
  /**
   * The JDK's {@code java.net.http} client, one for the whole process: its selector thread does the
   * I/O of every caller, and a caller waits for a hand-over from it. Right for the sibus command
   * and the tests, which send a request now and then.
   */
  SHARED_CLIENT {
    @Override
    Exchange exchange(String method, URI uri, Map<String, String> headers, byte[] body)
        throws IOException {
      HttpRequest.Builder request =
          HttpRequest.newBuilder(uri)
              .timeout(REQUEST_TIMEOUT)
              .method(
                  method,
                  body == null
                      ? HttpRequest.BodyPublishers.noBody()
                      : HttpRequest.BodyPublishers.ofByteArray(body));
      headers.forEach(request::header);
      try {
        HttpResponse<byte[]> response =
            SharedClient.HTTP.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        return new Exchange(
            response.statusCode(),
            response.body(),
            response.headers().firstValue("Retry-After").orElse(null));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted", e);
      }
    }
  },

  /**
   * {@link HttpURLConnection}: the calling thread does its own blocking I/O on a kept-alive
   * connection, with no other thread in between. For a load generator, whose many threads each call
   * without pause: on two cores it used a third less CPU per message than {@link #SHARED_CLIENT},
   * and switched threads a quarter less often (docs/benchmarks.md).
   *
   * <p>The JDK keeps five idle connections per server unless the process sets {@code
   * http.maxConnections} higher (at least its number of concurrent callers, or the others reconnect
   * for every request), and it sends a POST again when a kept-alive connection turns out closed
   * unless {@code sun.net.http.retryPost=false} (a send would arrive twice). Both properties are
   * read once, before the first connection: set them at the process's start.
   */
  BLOCKING_CONNECTION {
    @Override
    Exchange exchange(String method, URI uri, Map<String, String> headers, byte[] body)
        throws IOException {
      HttpURLConnection connection = (HttpURLConnection) uri.toURL().openConnection();
      connection.setConnectTimeout((int) CONNECT_TIMEOUT.toMillis());
      connection.setReadTimeout((int) REQUEST_TIMEOUT.toMillis());
      connection.setRequestMethod(method);
      headers.forEach(connection::setRequestProperty);
      if (body != null) {
        connection.setDoOutput(true);
        connection.setFixedLengthStreamingMode(body.length);
        try (OutputStream out = connection.getOutputStream()) {
          out.write(body);
        }
      }
      int status = connection.getResponseCode();
      // Read to the end and closed, the connection goes back to the JDK's keep-alive cache.
      InputStream in = status >= 400 ? connection.getErrorStream() : connection.getInputStream();
      byte[] bytes = new byte[0];
      if (in != null) {
        try (in) {
          bytes = in.readAllBytes();
        }
      }
      return new Exchange(status, bytes, connection.getHeaderField("Retry-After"));
    }
  };

  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(70);

  /** What came back: the status, the body (empty when none) and the Retry-After header. */
  record Exchange(int status, byte[] body, String retryAfter) {}

  /**
   * Sends {@code body} (null: none) with {@code headers}; failures to connect or to read the answer
   * are {@link IOException}s, HTTP errors are exchanges like any other.
   */
  abstract Exchange exchange(String method, URI uri, Map<String, String> headers, byte[] body)
      throws IOException;

  /** Created on first use, so that a process using only blocking connections starts none. */
  private static final class SharedClient {
    static final HttpClient HTTP =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(CONNECT_TIMEOUT)
            .build();
  }
}
