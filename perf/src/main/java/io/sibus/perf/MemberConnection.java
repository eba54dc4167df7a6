package io.sibus.perf;

import io.sibus.local.EngineClient;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.util.Map;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import org.apache.http.HttpException;
import org.apache.http.HttpResponse;
import org.apache.http.HttpVersion;
import org.apache.http.entity.ByteArrayEntity;
import org.apache.http.impl.DefaultBHttpClientConnection;
import org.apache.http.impl.DefaultConnectionReuseStrategy;
import org.apache.http.message.BasicHttpEntityEnclosingRequest;
import org.apache.http.protocol.HttpCoreContext;
import org.apache.http.protocol.HttpRequestExecutor;
import org.apache.http.util.EntityUtils;

/**
 * One load-generator thread's kept-alive HTTP/1.1 connection to one engine member, the way the
 * Artemis producers hold their core connection and the database limit's its JDBC connection: the
 * thread writes each request and reads its answer itself, on a socket no other thread uses.
 *
 * <p>It replaces Apache HttpClient's execution chain (the {@code EngineClient} of the sibus
 * command) on the benchmark's hot path only. That chain parses and rewrites each request's URI,
 * fills a context of hash maps, and leases and returns a pooled connection under a lock: 65% of the
 * producers' Java samples in a JFR profile of a 16-producer run, CPU taken from the engine and
 * PostgreSQL on the same two cores. Here httpcore's own request executor and reuse rules run on one
 * socket, and a request's line, headers and body go out in one {@code write}.
 *
 * <p>Not thread-safe. As with {@code EngineClient}, a request is repeated (once, on a new
 * connection) only when it could not be written on a kept-alive connection that the server or a
 * proxy closed since its last use; the engine cannot have acted on it. Whether to repeat one that
 * was written is the caller's decision.
 */
final class MemberConnection implements AutoCloseable {
  /** Large enough that a 1 KiB send, headers and body, leaves in one segment. */
  private static final int BUFFER_BYTES = 16 * 1024;

  private static final int CONNECT_TIMEOUT_MILLIS = 2_000;
  private static final int READ_TIMEOUT_MILLIS = 70_000;

  /** A connection idle this long is checked for a close by the server before it is used again. */
  static final long STALE_CHECK_AFTER_NANOS = 2_000_000_000L;

  private static final HttpRequestExecutor EXECUTOR = new HttpRequestExecutor();

  private final boolean tls;
  private final String host;
  private final int port;
  private final String hostHeader;
  private final String pathPrefix;
  private final long staleCheckAfterNanos;
  private DefaultBHttpClientConnection connection;
  private long lastUsedNanos;

  /**
   * @param baseUrl a member's URL as {@code --url} gives it: http or https, with or without a path
   *     in front of the API's
   */
  MemberConnection(String baseUrl) {
    this(baseUrl, STALE_CHECK_AFTER_NANOS);
  }

  MemberConnection(String baseUrl, long staleCheckAfterNanos) {
    URI uri = check(baseUrl);
    this.tls = uri.getScheme().equalsIgnoreCase("https");
    this.host = uri.getHost();
    this.port = uri.getPort() >= 0 ? uri.getPort() : tls ? 443 : 80;
    this.hostHeader = host + ":" + port;
    String path = uri.getRawPath() == null ? "" : uri.getRawPath();
    this.pathPrefix = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    this.staleCheckAfterNanos = staleCheckAfterNanos;
  }

  /** The URL as a URI; an {@link IllegalArgumentException} that says why it cannot be used. */
  static URI check(String baseUrl) {
    URI uri;
    try {
      uri = URI.create(baseUrl);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(baseUrl + ": not a URL (" + e.getMessage() + ")");
    }
    if (uri.getScheme() == null
        || !(uri.getScheme().equalsIgnoreCase("http") || uri.getScheme().equalsIgnoreCase("https"))
        || uri.getHost() == null) {
      throw new IllegalArgumentException(
          baseUrl
              + ": a member URL is http:// or https:// and a host name (letters, digits, - and .)");
    }
    return uri;
  }

  /**
   * Sends {@code method} with {@code body} to {@code path} and reads the answer whole. A 2xx
   * answer's body is parsed as JSON only when {@code readOk} asks for it; any other answer's always
   * is, so that the caller can read an error and a 503's {@code activeUrl}.
   */
  EngineClient.Reply call(
      String method, String path, Map<String, String> headers, byte[] body, boolean readOk)
      throws IOException {
    boolean reused = connection != null;
    HttpCoreContext context = HttpCoreContext.create();
    try {
      return exchange(method, path, headers, body, readOk, context);
    } catch (IOException e) {
      if (reused && !context.isRequestSent()) {
        try {
          return exchange(method, path, headers, body, readOk, HttpCoreContext.create());
        } catch (IOException again) {
          again.addSuppressed(e);
          throw again;
        }
      }
      throw e;
    }
  }

  private EngineClient.Reply exchange(
      String method,
      String path,
      Map<String, String> headers,
      byte[] body,
      boolean readOk,
      HttpCoreContext context)
      throws IOException {
    boolean settled = false;
    try {
      DefaultBHttpClientConnection c = open();
      BasicHttpEntityEnclosingRequest request =
          new BasicHttpEntityEnclosingRequest(method, pathPrefix + path, HttpVersion.HTTP_1_1);
      request.setHeader("Host", hostHeader);
      headers.forEach(request::setHeader);
      request.setHeader("Content-Length", Integer.toString(body.length));
      request.setEntity(new ByteArrayEntity(body));
      context.setAttribute(HttpCoreContext.HTTP_REQUEST, request);
      HttpResponse response = EXECUTOR.execute(request, c, context);
      byte[] answer =
          response.getEntity() == null
              ? new byte[0]
              : EntityUtils.toByteArray(response.getEntity());
      if (DefaultConnectionReuseStrategy.INSTANCE.keepAlive(response, context)) {
        lastUsedNanos = System.nanoTime();
      } else {
        close();
      }
      settled = true;
      int status = response.getStatusLine().getStatusCode();
      boolean ok = status >= 200 && status < 300;
      return new EngineClient.Reply(
          status, ok && !readOk ? null : EngineClient.jsonOrText(answer), null);
    } catch (HttpException e) {
      throw new IOException("the answer of " + hostHeader + " broke HTTP: " + e.getMessage(), e);
    } finally {
      if (!settled) {
        abort(); // its state is unknown, as after a broken connection
      }
    }
  }

  private DefaultBHttpClientConnection open() throws IOException {
    if (connection != null
        && System.nanoTime() - lastUsedNanos >= staleCheckAfterNanos
        && connection.isStale()) {
      abort();
    }
    if (connection == null) {
      Socket socket = new Socket();
      try {
        socket.setTcpNoDelay(true);
        socket.connect(new InetSocketAddress(host, port), CONNECT_TIMEOUT_MILLIS);
        socket.setSoTimeout(READ_TIMEOUT_MILLIS);
        if (tls) {
          socket = verifiedTls(socket);
        }
        DefaultBHttpClientConnection c =
            new DefaultBHttpClientConnection(
                BUFFER_BYTES, BUFFER_BYTES, null, null, null, null, null, null, null);
        c.bind(socket);
        connection = c;
      } catch (IOException | RuntimeException e) {
        socket.close();
        throw e;
      }
    }
    return connection;
  }

  /** TLS over {@code plain}, with the JDK's trust store and the host name checked. */
  private Socket verifiedTls(Socket plain) throws IOException {
    SSLSocket tlsSocket =
        (SSLSocket)
            ((SSLSocketFactory) SSLSocketFactory.getDefault())
                .createSocket(plain, host, port, true);
    SSLParameters parameters = tlsSocket.getSSLParameters();
    parameters.setEndpointIdentificationAlgorithm("HTTPS");
    tlsSocket.setSSLParameters(parameters);
    tlsSocket.startHandshake();
    return tlsSocket;
  }

  /** Drops the connection at once (a reset): after a failure, nothing on it can be trusted. */
  private void abort() {
    drop(true);
  }

  /** Closes the connection in order: the end of a run, or an answer that ends its use. */
  @Override
  public void close() {
    drop(false);
  }

  private void drop(boolean reset) {
    if (connection != null) {
      try {
        if (reset) {
          connection.shutdown();
        } else {
          connection.close();
        }
      } catch (IOException ignored) {
        // the socket is gone either way
      }
      connection = null;
    }
  }
}
