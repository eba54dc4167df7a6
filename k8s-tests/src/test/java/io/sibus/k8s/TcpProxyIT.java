package io.sibus.k8s;

import static io.sibus.k8s.LineEchoServer.ask;
import static io.sibus.k8s.LineEchoServer.isBroken;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The proxy against real sockets: echo servers as backends, the test as the client. */
class TcpProxyIT {
  private final List<AutoCloseable> resources = new ArrayList<>();
  private final List<InetSocketAddress> targets = new CopyOnWriteArrayList<>();
  private LineEchoServer a;
  private LineEchoServer b;
  private TcpProxy proxy;

  @BeforeEach
  void start() {
    a = track(LineEchoServer.start("a", "127.0.0.1", 0));
    b = track(LineEchoServer.start("b", "127.0.0.1", 0));
    proxy = track(TcpProxy.start("127.0.0.1", 0, () -> List.copyOf(targets)));
  }

  @AfterEach
  void stop() throws Exception {
    for (AutoCloseable resource : resources) {
      resource.close();
    }
  }

  @Test
  void forwardsEachConnectionToTheNextTargetInTurn() throws Exception {
    targets.addAll(List.of(a.address(), b.address()));
    List<String> answers = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      answers.add(ask(connect(), "hello " + i));
    }
    assertThat(answers).containsExactly("a:hello 0", "b:hello 1", "a:hello 2", "b:hello 3");
  }

  @Test
  void passesHalfClosesOnAndForgetsEndedConnections() throws Exception {
    targets.add(a.address());
    Socket client = connect();
    client.getOutputStream().write("last words\n".getBytes());
    client.shutdownOutput();
    // The server still answers after the client's FIN, then ends the stream in turn.
    assertThat(LineEchoServer.readLine(client)).isEqualTo("a:last words");
    assertThat(client.getInputStream().read()).isEqualTo(-1);
    await().untilAsserted(() -> assertThat(proxy.openConnections()).isZero());
  }

  @Test
  void cutsOnlyTheConnectionsToARemovedTarget() throws Exception {
    targets.addAll(List.of(a.address(), b.address()));
    Socket toA = connect();
    assertThat(ask(toA, "x")).isEqualTo("a:x");
    Socket toB = connect();
    assertThat(ask(toB, "y")).isEqualTo("b:y");
    targets.remove(a.address());

    proxy.closeConnectionsTo(a.address());

    assertThat(isBroken(toA)).isTrue();
    assertThat(ask(toB, "still there")).isEqualTo("b:still there");
    assertThat(ask(connect(), "new")).isEqualTo("b:new");
    assertThat(proxy.openConnections()).isEqualTo(2);
  }

  @Test
  void closeCutsEveryConnectionAndStopsListening() throws Exception {
    targets.addAll(List.of(a.address(), b.address()));
    Socket first = connect();
    assertThat(ask(first, "1")).isEqualTo("a:1");
    Socket second = connect();
    assertThat(ask(second, "2")).isEqualTo("b:2");

    proxy.close();

    assertThat(isBroken(first)).isTrue();
    assertThat(isBroken(second)).isTrue();
    assertThatThrownBy(this::connect).isInstanceOf(ConnectException.class);
  }

  @Test
  void resetsClientsWhenNoTargetIsThereOrNoneAccepts() throws Exception {
    assertThat(isBroken(connect())).isTrue();

    targets.add(unusedPort());
    assertThat(isBroken(connect())).isTrue();
  }

  @Test
  void skipsATargetThatRefusesConnections() throws Exception {
    targets.addAll(List.of(unusedPort(), b.address()));
    assertThat(ask(connect(), "first")).isEqualTo("b:first");
    assertThat(ask(connect(), "second")).isEqualTo("b:second");
  }

  private Socket connect() throws Exception {
    return track(new Socket("127.0.0.1", proxy.port()));
  }

  private static InetSocketAddress unusedPort() throws Exception {
    try (ServerSocket socket = new ServerSocket(0)) {
      return new InetSocketAddress("127.0.0.1", socket.getLocalPort());
    }
  }

  private <T extends AutoCloseable> T track(T resource) {
    resources.add(resource);
    return resource;
  }
}
