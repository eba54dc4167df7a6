package io.sibus.perf;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;

/**
 * A TCP relay on this machine that holds everything it passes for a fixed time, each way: the
 * engine's database as if it ran a network hop away, as a Kubernetes cluster's data store does,
 * instead of over the loopback. A database session has one request in flight at a time, so each
 * direction of a connection is a thread that reads, waits out the delay and writes: the delay is
 * added once to each request and once to each answer, and the round trip grows by twice the delay.
 */
final class DelayRelay implements AutoCloseable {
  private final ServerSocket server;
  private final int targetPort;
  private final long delayNanos;

  private DelayRelay(ServerSocket server, int targetPort, Duration oneWay) {
    this.server = server;
    this.targetPort = targetPort;
    this.delayNanos = oneWay.toNanos();
  }

  /** Relays connections on a free local port to {@code targetPort}, {@code oneWay} late. */
  static DelayRelay start(int targetPort, Duration oneWay) throws IOException {
    DelayRelay relay =
        new DelayRelay(
            new ServerSocket(0, 50, InetAddress.getLoopbackAddress()), targetPort, oneWay);
    daemon(relay::accept, "perf-relay-accept").start();
    return relay;
  }

  int port() {
    return server.getLocalPort();
  }

  private void accept() {
    while (!server.isClosed()) {
      try {
        Socket client = server.accept();
        Socket database = new Socket(InetAddress.getLoopbackAddress(), targetPort);
        client.setTcpNoDelay(true);
        database.setTcpNoDelay(true);
        daemon(() -> pass(client, database), "perf-relay-up").start();
        daemon(() -> pass(database, client), "perf-relay-down").start();
      } catch (IOException e) {
        if (!server.isClosed()) {
          throw new UncheckedIOException("the database relay stopped accepting", e);
        }
      }
    }
  }

  private void pass(Socket from, Socket to) {
    byte[] buffer = new byte[64 * 1024];
    try (InputStream in = from.getInputStream();
        OutputStream out = to.getOutputStream()) {
      for (int n = in.read(buffer); n > 0; n = in.read(buffer)) {
        long due = System.nanoTime() + delayNanos;
        for (long left = delayNanos; left > 0; left = due - System.nanoTime()) {
          LockSupport.parkNanos(left);
        }
        out.write(buffer, 0, n);
      }
    } catch (IOException e) {
      // One side closed: the finally below closes the other, as a network peer would see it.
    } finally {
      closeQuietly(from);
      closeQuietly(to);
    }
  }

  private static Thread daemon(Runnable work, String name) {
    Thread thread = new Thread(work, name);
    thread.setDaemon(true);
    return thread;
  }

  private static void closeQuietly(Socket socket) {
    try {
      socket.close();
    } catch (IOException ignored) {
      // Already closed.
    }
  }

  @Override
  public void close() throws IOException {
    server.close();
  }
}
