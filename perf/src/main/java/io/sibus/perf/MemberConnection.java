package io.sibus.perf;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sibus.local.EngineClient;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import org.apache.http.Header;
import org.apache.http.HttpException;
import org.apache.http.HttpResponse;
import org.apache.http.HttpVersion;
import org.apache.http.entity.ByteArrayEntity;
import org.apache.http.impl.DefaultBHttpClientConnection;
import org.apache.http.message.BasicHttpEntityEnclosingRequest;
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
 * PostgreSQL on the same two cores. Here a request is its request line and headers formatted into
 * the connection's buffer, with the body, and written in one {@code write}.
 *
 * <p>Not thread-safe. A failed exchange closes the connection, and the next one opens a new one;
 * whether to repeat a request that may have reached the engine is the caller's decision, as with
 * {@code EngineClient}.
 */
final class MemberConnection implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Large enough that a 1 KiB send, headers and body, leaves in one segment. */
  private static final int BUFFER_BYTES = 16 * 1024;

  private static final int CONNECT_TIMEOUT_MILLIS = 2_000;
  private static final int READ_TIMEOUT_MILLIS = 70_000;

  private final boolean tls;
  private final String host;
  private final int port;
  private final String hostHeader;
  private final String pathPrefix;
  private DefaultBHttpClientConnection connection;

  /**
   * @param baseUrl a member's URL as {@code --url} gives it: http or https, with or without a path
   *     in front of the API's
   */
  MemberConnection(String baseUrl) {
    URI uri = URI.create(baseUrl);
    this.tls = "https".equalsIgnoreCase(uri.getScheme());
    if (!tls && !"http".equalsIgnoreCase(uri.getScheme())) {
      throw new IllegalArgumentException(baseUrl + ": a member URL is http:// or https://");
    }
    this.host = uri.getHost();
    this.port = uri.getPort() >= 0 ? uri.getPort() : tls ? 443 : 80;
    this.hostHeader = host + ":" + port;
    String path = uri.getRawPath() == null ? "" : uri.getRawPath();
    this.pathPrefix = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
  }

  /**
   * POSTs {@code body} to {@code path} and reads the answer. A 2xx answer's body is parsed as JSON
   * only when {@code readOk} asks for it; any other answer's always is, so that the caller can read
   * an error and a 503's {@code activeUrl}.
   */
  EngineClient.Reply post(String path, Map<String, String> headers, byte[] body, boolean readOk)
      throws IOException {
    DefaultBHttpClientConnection c = open();
    try {
      BasicHttpEntityEnclosingRequest request =
          new BasicHttpEntityEnclosingRequest("POST", pathPrefix + path, HttpVersion.HTTP_1_1);
      request.setHeader("Host", hostHeader);
      headers.forEach(request::setHeader);
      request.setHeader("Content-Length", Integer.toString(body.length));
      request.setEntity(new ByteArrayEntity(body));
      c.sendRequestHeader(request);
      c.sendRequestEntity(request);
      c.flush();
      HttpResponse response = c.receiveResponseHeader();
      c.receiveResponseEntity(response);
      byte[] answer =
          response.getEntity() == null
              ? new byte[0]
              : EntityUtils.toByteArray(response.getEntity());
      int status = response.getStatusLine().getStatusCode();
      Header close = response.getFirstHeader("Connection");
      if (close != null && close.getValue().equalsIgnoreCase("close")) {
        close();
      }
      boolean ok = status >= 200 && status < 300;
      return new EngineClient.Reply(status, ok && !readOk ? null : json(answer), null);
    } catch (HttpException e) {
      // A malformed answer: the connection's state is unknown, as after a broken one.
      close();
      throw new IOException("the answer of " + hostHeader + " was malformed", e);
    } catch (IOException | RuntimeException e) {
      close();
      throw e;
    }
  }

  private DefaultBHttpClientConnection open() throws IOException {
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
      } catch (IOException e) {
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

  private static JsonNode json(byte[] body) {
    if (body.length == 0) {
      return null;
    }
    try {
      return JSON.readTree(body);
    } catch (IOException notJson) {
      return JSON.getNodeFactory().textNode(new String(body, StandardCharsets.UTF_8));
    }
  }

  @Override
  public void close() {
    if (connection != null) {
      try {
        connection.shutdown();
      } catch (IOException ignored) {
        // the socket is gone either way
      }
      connection = null;
    }
  }
}
