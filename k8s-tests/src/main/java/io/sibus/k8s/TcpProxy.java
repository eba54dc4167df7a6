package io.sibus.k8s;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A TCP forwarder, what kube-proxy is for one Service port: each accepted connection goes to one of
 * the current targets, round-robin, and bytes are copied both ways, a half-close (FIN) passed on to
 * the other side. Unlike kube-proxy it can cut connections: when a backend disappears, {@link
 * #closeConnectionsTo} resets its connections, as a client in a cluster sees its connection break
 * when the pod behind it dies. Resets (not FINs) are sent so that a client cannot take a cut for an
 * orderly end of the stream.
 *
 * <p>Java 17 has no virtual threads, so each connection takes two threads of a cached pool; a local
 * cluster has few connections.
 */
public final class TcpProxy implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(TcpProxy.class);
  private static final int CONNECT_TIMEOUT_MILLIS = 2_000;
  private static final int BUFFER_BYTES = 16 * 1024;
  private static final int BACKLOG = 128;

  private final ServerSocket server;
  private final Supplier<List<InetSocketAddress>> targets;
  private final ExecutorService threads;
  private final Set<Connection> connections = ConcurrentHashMap.newKeySet();
  private final AtomicInteger nextTarget = new AtomicInteger();
  private volatile boolean closed;

  private TcpProxy(ServerSocket server, Supplier<List<InetSocketAddress>> targets) {
    this.server = server;
    this.targets = targets;
    this.threads =
        Executors.newCachedThreadPool(daemonThreads("tcp-proxy-" + server.getLocalPort()));
  }

  /**
   * Listens on {@code bindHost:port} and forwards to the targets {@code targets} returns when a
   * connection is accepted; with none, or none accepting, the client's connection is reset.
   *
   * @param port the port, or 0 for any free one ({@link #port()})
   */
  public static TcpProxy start(
      String bindHost, int port, Supplier<List<InetSocketAddress>> targets) {
    ServerSocket server = null;
    try {
      server = new ServerSocket();
      // A Service recreated on the same address must not wait for TIME_WAIT sockets to expire.
      server.setReuseAddress(true);
      server.bind(new InetSocketAddress(InetAddress.getByName(bindHost), port), BACKLOG);
    } catch (IOException e) {
      closeQuietly(server);
      throw new UncheckedIOException("cannot listen on " + bindHost + ":" + port, e);
    }
    TcpProxy proxy = new TcpProxy(server, targets);
    proxy.threads.execute(proxy::acceptLoop);
    LOG.debug("proxy listening on {}:{}", bindHost, proxy.port());
    return proxy;
  }

  /** The port listened on. */
  public int port() {
    return server.getLocalPort();
  }

  /** The number of forwarded connections still open. */
  public int openConnections() {
    return connections.size();
  }

  /** Resets every forwarded connection to {@code target}, a backend that has gone away. */
  public void closeConnectionsTo(InetSocketAddress target) {
    for (Connection connection : connections) {
      if (connection.target.equals(target)) {
        LOG.debug("cutting connection to {}", target);
        connection.abort();
      }
    }
  }

  /** Stops listening and resets every forwarded connection. */
  @Override
  public void close() {
    closed = true;
    closeQuietly(server);
    connections.forEach(Connection::abort);
    threads.shutdown();
  }

  private void acceptLoop() {
    while (!closed) {
      try {
        Socket client = server.accept();
        // Taking the turn here keeps round-robin in the order connections were accepted.
        int turn = nextTarget.getAndIncrement();
        threads.execute(() -> forward(client, turn));
      } catch (IOException e) {
        if (server.isClosed()) {
          return;
        }
        // Out of file descriptors, for instance: keep serving once the pressure is gone.
        LOG.warn("proxy on port {} failed to accept: {}", port(), e.toString());
        pause();
      }
    }
  }

  private void forward(Socket client, int turn) {
    List<InetSocketAddress> candidates = targets.get();
    if (candidates.isEmpty()) {
      reset(client);
      return;
    }
    int first = Math.floorMod(turn, candidates.size());
    for (int i = 0; i < candidates.size(); i++) {
      InetSocketAddress target = candidates.get((first + i) % candidates.size());
      Socket backend = connect(target);
      if (backend != null) {
        register(new Connection(client, backend, target));
        return;
      }
    }
    reset(client);
  }

  private void register(Connection connection) {
    connections.add(connection);
    // The target may have been removed, or the proxy closed, while connecting: the cut that
    // happened meanwhile did not see this connection.
    if (closed || !targets.get().contains(connection.target)) {
      connection.abort();
      return;
    }
    try {
      threads.execute(() -> connection.pump(connection.client, connection.backend));
      threads.execute(() -> connection.pump(connection.backend, connection.client));
    } catch (RejectedExecutionException e) {
      connection.abort(); // closed meanwhile
    }
  }

  private static Socket connect(InetSocketAddress target) {
    Socket backend = new Socket();
    try {
      backend.setTcpNoDelay(true);
      backend.connect(target, CONNECT_TIMEOUT_MILLIS);
      return backend;
    } catch (IOException e) {
      LOG.debug("cannot connect to {}: {}", target, e.toString());
      closeQuietly(backend);
      return null;
    }
  }

  /** One forwarded connection: two pumps, closed when both directions have ended. */
  private final class Connection {
    final Socket client;
    final Socket backend;
    final InetSocketAddress target;
    private final AtomicInteger openDirections = new AtomicInteger(2);
    private final AtomicBoolean ended = new AtomicBoolean();

    Connection(Socket client, Socket backend, InetSocketAddress target) {
      this.client = client;
      this.backend = backend;
      this.target = target;
    }

    void pump(Socket from, Socket to) {
      byte[] buffer = new byte[BUFFER_BYTES];
      try {
        from.setTcpNoDelay(true);
        InputStream in = from.getInputStream();
        OutputStream out = to.getOutputStream();
        for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
          out.write(buffer, 0, n);
        }
        to.shutdownOutput();
      } catch (IOException e) {
        abort();
        return;
      }
      if (openDirections.decrementAndGet() == 0 && ended.compareAndSet(false, true)) {
        closeQuietly(client);
        closeQuietly(backend);
        connections.remove(this);
      }
    }

    void abort() {
      if (ended.compareAndSet(false, true)) {
        reset(client);
        reset(backend);
        connections.remove(this);
      }
    }
  }

  /** Closes with a TCP reset, so that the peer sees a broken connection, not an end of stream. */
  private static void reset(Socket socket) {
    try {
      socket.setSoLinger(true, 0);
    } catch (SocketException e) {
      // Already closed: nothing to reset.
    }
    closeQuietly(socket);
  }

  private static void closeQuietly(AutoCloseable closeable) {
    if (closeable == null) {
      return;
    }
    try {
      closeable.close();
    } catch (Exception e) {
      // Closing is best effort; the socket is unusable either way.
    }
  }

  private static void pause() {
    try {
      Thread.sleep(100);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static ThreadFactory daemonThreads(String prefix) {
    AtomicInteger count = new AtomicInteger();
    return runnable -> {
      Thread thread = new Thread(runnable, prefix + "-" + count.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    };
  }
}
