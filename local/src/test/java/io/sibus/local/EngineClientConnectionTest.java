package io.sibus.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.sibus.local.EngineClient.Outgoing;
import io.sibus.local.EngineClient.Reply;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.Test;

/** The client's kept-alive connections, against a server that resets one between two calls. */
class EngineClientConnectionTest {
  private static final String ANSWER = "{\"messageId\":\"m\"}";

  @Test
  void aSendOnAConnectionResetSinceItsLastUseGoesOutOnceOnANewConnection() throws Exception {
    List<String> received = new CopyOnWriteArrayList<>();
    CountDownLatch resetFirst = new CountDownLatch(1);
    CountDownLatch firstReset = new CountDownLatch(1);
    try (ServerSocket server = new ServerSocket(0, 8, InetAddress.getLoopbackAddress())) {
      Thread engine =
          new Thread(
              () -> {
                try (Socket first = server.accept()) {
                  received.add("first connection: " + answerOne(first));
                  resetFirst.await(30, TimeUnit.SECONDS);
                  first.setSoLinger(true, 0); // close with a reset, as a restarted peer or proxy
                  first.close();
                  firstReset.countDown();
                  try (Socket second = server.accept()) {
                    received.add("second connection: " + answerOne(second));
                  }
                } catch (IOException | InterruptedException e) {
                  received.add("server failed: " + e);
                }
              });
      engine.start();
      EngineClient client = new EngineClient("http://127.0.0.1:" + server.getLocalPort());
      List<String> logged = new CopyOnWriteArrayList<>();
      Handler capture =
          new Handler() {
            @Override
            public void publish(LogRecord record) {
              logged.add(record.getLevel() + " " + record.getMessage());
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
          };
      EngineClient.RETRY_LOG.addHandler(capture);

      Reply one = client.send("orders", new Outgoing("one"));
      resetFirst.countDown();
      assertThat(firstReset.await(30, TimeUnit.SECONDS)).isTrue();
      Thread.sleep(200); // the reset reaches the client's idle pooled connection
      Reply two = client.send("orders", new Outgoing("two"));
      engine.join(30_000);

      EngineClient.RETRY_LOG.removeHandler(capture);

      assertThat(one.status()).isEqualTo(201);
      assertThat(two.status()).isEqualTo(201);
      assertThat(logged).as("a retry is not announced on the command's standard error").isEmpty();
      assertThat(received)
          .containsExactly(
              "first connection: POST /api/v1/destinations/orders/messages one",
              "second connection: POST /api/v1/destinations/orders/messages two");
    }
  }

  /** Reads one request and answers 201, keeping the connection open; returns "METHOD path body". */
  private static String answerOne(Socket socket) throws IOException {
    BufferedReader in =
        new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
    String requestLine = in.readLine();
    int length = 0;
    for (String line = in.readLine(); line != null && !line.isEmpty(); line = in.readLine()) {
      if (line.toLowerCase().startsWith("content-length:")) {
        length = Integer.parseInt(line.substring("content-length:".length()).trim());
      }
    }
    char[] body = new char[length];
    int read = 0;
    while (read < length) {
      int n = in.read(body, read, length - read);
      if (n < 0) {
        break;
      }
      read += n;
    }
    OutputStream out = socket.getOutputStream();
    out.write(
        ("HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nContent-Length: "
                + ANSWER.length()
                + "\r\n\r\n"
                + ANSWER)
            .getBytes(StandardCharsets.UTF_8));
    out.flush();
    String[] parts = requestLine.split(" ");
    return parts[0] + " " + parts[1] + " " + new String(body, 0, read);
  }
}
