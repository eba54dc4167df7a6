package io.sibus.k8s;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/**
 * A backend for proxy tests: answers each line with {@code <name>:<line>}, so that a test sees
 * which backend it reached, and closes its side once the client has closed its own.
 */
final class LineEchoServer implements AutoCloseable {
  private final String name;
  private final ServerSocket server;

  private LineEchoServer(String name, ServerSocket server) {
    this.name = name;
    this.server = server;
  }

  static LineEchoServer start(String name, String host, int port) {
    try {
      ServerSocket server = new ServerSocket();
      server.setReuseAddress(true);
      server.bind(new InetSocketAddress(InetAddress.getByName(host), port));
      LineEchoServer echo = new LineEchoServer(name, server);
      Thread thread = new Thread(echo::acceptLoop, "echo-" + name);
      thread.setDaemon(true);
      thread.start();
      return echo;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  InetSocketAddress address() {
    return (InetSocketAddress) server.getLocalSocketAddress();
  }

  @Override
  public void close() throws IOException {
    server.close();
  }

  private void acceptLoop() {
    while (!server.isClosed()) {
      try {
        Socket socket = server.accept();
        Thread thread = new Thread(() -> echo(socket), "echo-" + name + "-connection");
        thread.setDaemon(true);
        thread.start();
      } catch (IOException e) {
        return;
      }
    }
  }

  private void echo(Socket socket) {
    try (socket) {
      BufferedReader in =
          new BufferedReader(
              new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
      OutputStream out = socket.getOutputStream();
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        out.write((name + ":" + line + "\n").getBytes(StandardCharsets.UTF_8));
      }
    } catch (SocketException e) {
      // The proxy cut the connection.
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Sends {@code line} on {@code socket} and returns the answer line, waiting at most 5 s. */
  static String ask(Socket socket, String line) throws IOException {
    socket.setSoTimeout(5_000);
    socket.getOutputStream().write((line + "\n").getBytes(StandardCharsets.UTF_8));
    return readLine(socket);
  }

  /** Reads one line byte by byte (no buffering, so nothing after the line is consumed). */
  static String readLine(Socket socket) throws IOException {
    StringBuilder answer = new StringBuilder();
    for (int b = socket.getInputStream().read(); b != '\n'; b = socket.getInputStream().read()) {
      if (b < 0) {
        return answer.length() == 0 ? null : answer.toString();
      }
      answer.append((char) b);
    }
    return answer.toString();
  }

  /**
   * Whether the connection is broken: reading fails with a reset or ends, within 5 s. A read that
   * times out means the connection is still up.
   */
  static boolean isBroken(Socket socket) throws IOException {
    socket.setSoTimeout(5_000);
    try {
      return socket.getInputStream().read() < 0;
    } catch (SocketTimeoutException e) {
      return false;
    } catch (SocketException e) {
      return true;
    }
  }
}
