package io.sibus.perf;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.locks.LockSupport;

/**
 * A TCP relay on this machine that holds everything it passes for a fixed time, each way: the
 * engine's database as if it ran a network hop away, as a Kubernetes cluster's data store does,
 * instead of over the loopback. Each direction of a connection has a reader, which stamps what it
 * reads with the time it arrived, and a writer, which passes it on when the delay has run from that
 * time: as on a network link, a message that arrives in several pieces is delayed once, and the
 * round trip grows by twice the delay.
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

  /** How long it holds what it passes, each way. */
  Duration delay() {
    return Duration.ofNanos(delayNanos);
  }

  private void accept() {
    while (!server.isClosed()) {
      Socket client;
      try {
        client = server.accept();
      } catch (IOException e) {
        return; // closed
      }
      try {
        Socket database = new Socket(InetAddress.getLoopbackAddress(), targetPort);
        client.setTcpNoDelay(true);
        database.setTcpNoDelay(true);
        relay(client, database, "up");
        relay(database, client, "down");
      } catch (IOException e) {
        closeQuietly(client); // the database refused: the engine sees a failed connection
      }
    }
  }

  /** One direction: a reader that stamps each piece, a writer that sends it when it is due. */
  private void relay(Socket from, Socket to, String direction) {
    BlockingQueue<Piece> pieces = new LinkedBlockingQueue<>();
    daemon(() -> read(from, to, pieces), "perf-relay-" + direction + "-in").start();
    daemon(() -> write(from, to, pieces), "perf-relay-" + direction + "-out").start();
  }

  private record Piece(long dueNanos, byte[] bytes) {}

  private void read(Socket from, Socket to, BlockingQueue<Piece> pieces) {
    byte[] buffer = new byte[64 * 1024];
    try (InputStream in = from.getInputStream()) {
      for (int n = in.read(buffer); n > 0; n = in.read(buffer)) {
        pieces.add(new Piece(System.nanoTime() + delayNanos, Arrays.copyOf(buffer, n)));
      }
    } catch (IOException e) {
      // This side closed.
    }
    pieces.add(new Piece(System.nanoTime() + delayNanos, new byte[0])); // the close, also late
  }

  private void write(Socket from, Socket to, BlockingQueue<Piece> pieces) {
    try (OutputStream out = to.getOutputStream()) {
      for (Piece piece = pieces.take(); piece.bytes().length > 0; piece = pieces.take()) {
        for (long left = piece.dueNanos() - System.nanoTime();
            left > 0;
            left = piece.dueNanos() - System.nanoTime()) {
          LockSupport.parkNanos(left);
        }
        out.write(piece.bytes());
      }
    } catch (IOException | InterruptedException e) {
      // The other side closed, or the benchmark ends.
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
