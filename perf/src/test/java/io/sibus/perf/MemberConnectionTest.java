package io.sibus.perf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sibus.local.EngineClient.Reply;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The load generator's own connection, against a server that answers as scripted. */
@Timeout(30)
class MemberConnectionTest {
  private static final String CREATED =
      "HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nContent-Length: 17\r\n\r\n"
          + "{\"messageId\":\"m\"}";
  private static final byte[] BODY = "hello".getBytes(StandardCharsets.UTF_8);
  private static final String NO_ANSWER = "read the request and close";
  private static final String RESET = "reset the connection";

  private final ScriptedServer server = new ScriptedServer();

  @AfterEach
  void stop() throws Exception {
    server.close();
  }

  @Test
  void requestsShareOneKeptAliveConnectionAndA201IsNotParsed() throws Exception {
    server.script(List.of(CREATED, CREATED, CREATED));
    try (MemberConnection member = new MemberConnection(server.url() + "/prefix/")) {
      for (int i = 0; i < 3; i++) {
        Reply reply = member.call("POST", "/api/v1/x", Map.of("A", "b"), BODY, false);
        assertThat(reply.status()).isEqualTo(201);
        assertThat(reply.json()).isNull();
      }
    }
    assertThat(server.requests())
        .containsExactly(
            "1: POST /prefix/api/v1/x hello",
            "1: POST /prefix/api/v1/x hello",
            "1: POST /prefix/api/v1/x hello");
  }

  @Test
  void chunkedAndEmptyAnswersAreReadWholeAndTheConnectionGoesOn() throws Exception {
    server.script(
        List.of(
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "6\r\n{\"a\":1\r\n1\r\n}\r\n0\r\n\r\n",
            "HTTP/1.1 204 No Content\r\n\r\n",
            CREATED));
    try (MemberConnection member = new MemberConnection(server.url())) {
      assertThat(member.call("POST", "/r", Map.of(), BODY, true).json().get("a").asInt())
          .isEqualTo(1);
      assertThat(member.call("DELETE", "/d", Map.of(), new byte[0], false).status()).isEqualTo(204);
      assertThat(member.call("POST", "/s", Map.of(), BODY, false).status()).isEqualTo(201);
    }
    assertThat(server.requests())
        .containsExactly("1: POST /r hello", "1: DELETE /d ", "1: POST /s hello");
  }

  @Test
  void anAnswerThatEndsItsConnectionIsFollowedByANewOne() throws Exception {
    server.script(
        List.of(
            "HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Length: 24\r\n\r\n"
                + "{\"activeUrl\":\"http://m\"}"),
        List.of("HTTP/1.1 500 Oops\r\nContent-Length: 9\r\n\r\nnot json!"));
    try (MemberConnection member = new MemberConnection(server.url())) {
      Reply unavailable = member.call("POST", "/s", Map.of(), BODY, false);
      assertThat(unavailable.status()).isEqualTo(503);
      assertThat(unavailable.text("activeUrl")).isEqualTo("http://m");
      Reply failed = member.call("POST", "/s", Map.of(), BODY, false);
      assertThat(failed.status()).isEqualTo(500);
      assertThat(failed.json().asText()).isEqualTo("not json!");
    }
    assertThat(server.requests()).containsExactly("1: POST /s hello", "2: POST /s hello");
  }

  @Test
  void aConnectionTheServerClosedSinceItsLastUseIsReplacedBeforeTheRequestGoesOut()
      throws Exception {
    server.script(List.of(CREATED), List.of(CREATED)); // the first connection closes after one
    try (MemberConnection member = new MemberConnection(server.url(), 0)) {
      assertThat(member.call("POST", "/s", Map.of(), BODY, false).status()).isEqualTo(201);
      assertThat(server.closed.poll(30, TimeUnit.SECONDS)).isEqualTo(1);
      assertThat(member.call("POST", "/s", Map.of(), BODY, false).status()).isEqualTo(201);
    }
    assertThat(server.requests()).containsExactly("1: POST /s hello", "2: POST /s hello");
  }

  @Test
  void aRequestThatCouldNotBeWrittenOnAResetConnectionGoesOutOnceOnANewOne() throws Exception {
    server.script(List.of(CREATED, RESET), List.of(CREATED));
    try (MemberConnection member = new MemberConnection(server.url(), Long.MAX_VALUE)) {
      assertThat(member.call("POST", "/s", Map.of(), BODY, false).status()).isEqualTo(201);
      assertThat(server.closed.poll(30, TimeUnit.SECONDS)).isEqualTo(1);
      Thread.sleep(200); // the reset reaches the client's idle connection
      assertThat(member.call("POST", "/t", Map.of(), BODY, false).status()).isEqualTo(201);
    }
    assertThat(server.requests()).containsExactly("1: POST /s hello", "2: POST /t hello");
  }

  @Test
  void aRequestThatReachedTheServerIsNotRepeated() throws Exception {
    server.script(List.of(CREATED, NO_ANSWER), List.of(CREATED));
    try (MemberConnection member = new MemberConnection(server.url())) {
      assertThat(member.call("POST", "/s", Map.of(), BODY, false).status()).isEqualTo(201);
      assertThatThrownBy(() -> member.call("POST", "/t", Map.of(), BODY, false))
          .isInstanceOf(IOException.class);
    }
    assertThat(server.requests()).containsExactly("1: POST /s hello", "1: POST /t hello");
  }

  @Test
  void aUrlItCannotUseIsRefusedWithTheReason() {
    for (String url : List.of("ftp://h:1", "http://under_score:80", "not a url", "/relative")) {
      assertThatThrownBy(() -> MemberConnection.check(url))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith(url + ": ");
    }
    assertThat(MemberConnection.check("https://engine.example:8443/base").getPort())
        .isEqualTo(8443);
  }

  /**
   * Accepts connections one after another; on the n-th it reads requests and gives the n-th
   * script's answers, one per request ({@link #NO_ANSWER}: none, and the connection ends; {@link
   * #RESET}: the connection is reset), then closes it.
   */
  private static final class ScriptedServer implements AutoCloseable {
    private final ServerSocket socket;
    private final List<String> requests = new ArrayList<>();
    final BlockingQueue<Integer> closed = new LinkedBlockingQueue<>();
    private Thread thread;

    ScriptedServer() {
      try {
        socket = new ServerSocket(0, 8, InetAddress.getLoopbackAddress());
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    }

    String url() {
      return "http://127.0.0.1:" + socket.getLocalPort();
    }

    @SafeVarargs
    final void script(List<String>... connections) {
      thread =
          new Thread(
              () -> {
                int n = 0;
                for (List<String> answers : connections) {
                  n++;
                  Socket accepted;
                  try {
                    accepted = socket.accept();
                  } catch (IOException closedByTheTest) {
                    return;
                  }
                  try (Socket c = accepted) {
                    BufferedReader in =
                        new BufferedReader(
                            new InputStreamReader(c.getInputStream(), StandardCharsets.ISO_8859_1));
                    for (String answer : answers) {
                      if (answer.equals(RESET)) {
                        c.setSoLinger(true, 0); // as a restarted peer or a proxy does
                        break;
                      }
                      record(n, in);
                      if (answer.equals(NO_ANSWER)) {
                        break;
                      }
                      c.getOutputStream().write(answer.getBytes(StandardCharsets.ISO_8859_1));
                      c.getOutputStream().flush();
                    }
                  } catch (IOException e) {
                    record(n + ": server failed: " + e);
                  }
                  closed.add(n);
                }
              });
      thread.start();
    }

    private void record(int connection, BufferedReader in) throws IOException {
      String line = in.readLine();
      if (line == null) {
        throw new IOException("the client closed the connection before a request");
      }
      int length = 0;
      for (String h = in.readLine(); h != null && !h.isEmpty(); h = in.readLine()) {
        if (h.toLowerCase().startsWith("content-length:")) {
          length = Integer.parseInt(h.substring("content-length:".length()).trim());
        }
      }
      char[] body = new char[length];
      int read = 0;
      while (read < length) {
        int r = in.read(body, read, length - read);
        if (r < 0) {
          break;
        }
        read += r;
      }
      String[] parts = line.split(" ");
      record(connection + ": " + parts[0] + " " + parts[1] + " " + new String(body, 0, read));
    }

    private synchronized void record(String request) {
      requests.add(request);
    }

    synchronized List<String> requests() {
      return List.copyOf(requests);
    }

    @Override
    public void close() throws Exception {
      socket.close();
      if (thread != null) {
        thread.join(30_000);
      }
    }
  }
}
