package io.sibus.cli;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * An HTTP server standing in for one engine member: it answers every request with a status and a
 * JSON body the test chooses, and records what it was asked.
 */
final class FakeMember implements AutoCloseable {
  /** A request as received: method, path with query, body and two headers of interest. */
  record Request(String method, String path, String body, String idempotencyKey, String auth) {}

  /** Chooses the answer to a request. */
  @FunctionalInterface
  interface Responder {
    Answer answer(Request request);
  }

  record Answer(int status, String json) {}

  private final HttpServer server;
  private final List<Request> requests = new CopyOnWriteArrayList<>();

  FakeMember(Responder responder) {
    try {
      server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    server.createContext("/", exchange -> handle(exchange, responder));
    server.start();
  }

  private void handle(HttpExchange exchange, Responder responder) throws IOException {
    Request request =
        new Request(
            exchange.getRequestMethod(),
            exchange.getRequestURI().toString(),
            new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8),
            exchange.getRequestHeaders().getFirst("Idempotency-Key"),
            exchange.getRequestHeaders().getFirst("Authorization"));
    requests.add(request);
    Answer answer = responder.answer(request);
    byte[] body =
        answer.json() == null ? new byte[0] : answer.json().getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(answer.status(), body.length == 0 ? -1 : body.length);
    if (body.length > 0) {
      exchange.getResponseBody().write(body);
    }
    exchange.close();
  }

  String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  List<Request> requests() {
    return requests;
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
