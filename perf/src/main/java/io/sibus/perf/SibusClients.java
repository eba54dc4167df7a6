package io.sibus.perf;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sibus.local.EngineClient;
import io.sibus.local.MemberSetClient;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * sibus as a {@link MessagingSystem}: producers and consumers are HTTP clients of the engine's API,
 * each with the reliability level of the run.
 */
final class SibusClients implements MessagingSystem {
  static final int RECEIVE_BATCH = 50;
  private static final Duration PATIENCE = Duration.ofSeconds(10);
  private static final Map<String, String> JSON_CONTENT =
      Map.of("Content-Type", "application/json");
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final byte[] NO_BODY = new byte[0];

  private final List<String> sendUrls;
  private final List<String> receiveUrls;
  private final String destination;
  private final String reliability;
  private final int consumers;
  private final ExecutorService ackers = Executors.newFixedThreadPool(16, SibusClients::daemon);
  private final List<OwnClient> ackerClients = new CopyOnWriteArrayList<>();
  private final ThreadLocal<OwnClient> ackerClient = ThreadLocal.withInitial(this::newAckerClient);
  private boolean oneRequestPerAcknowledgement;

  /**
   * @param consumers how many consumers {@link #empty()} uses
   */
  SibusClients(
      List<String> sendUrls,
      List<String> receiveUrls,
      String destination,
      String reliability,
      int consumers) {
    this.sendUrls = sendUrls;
    this.receiveUrls = receiveUrls;
    this.destination = destination;
    this.reliability = reliability;
    this.consumers = consumers;
  }

  /**
   * Acknowledges each message with its own request ({@code DELETE .../receipts/{r}}) instead of one
   * batch acknowledgement per receive: to measure what the batch saves.
   */
  SibusClients oneRequestPerAcknowledgement(boolean each) {
    this.oneRequestPerAcknowledgement = each;
    return this;
  }

  @Override
  public String name() {
    return "sibus";
  }

  /**
   * A producer sends on connections of its own ({@link OwnClient}), and reads no more of a 201 than
   * its status.
   */
  @Override
  public Sender sender() {
    OwnClient client = new OwnClient(sendUrls);
    String path = EngineClient.messagesPath(destination);
    Map<String, String> headers =
        Map.of("Content-Type", "application/octet-stream", "Sibus-Reliability", reliability);
    return new Sender() {
      @Override
      public void send(byte[] body) throws IOException {
        EngineClient.Reply reply = client.call("POST", path, headers, body, false);
        if (reply.status() != 201) {
          throw new IOException("the send was answered " + reply);
        }
      }

      @Override
      public void close() {
        client.close();
      }
    };
  }

  /** A consumer receives and acknowledges on connections of its own ({@link OwnClient}). */
  @Override
  public Receiver receiver() {
    OwnClient client = new OwnClient(receiveUrls);
    String receive = EngineClient.receiptsPath(destination, RECEIVE_BATCH, 200, 60_000);
    return new Receiver() {
      @Override
      public void receive(MessagingSystem.Deliveries deliveries) throws Exception {
        EngineClient.Reply reply = client.call("POST", receive, Map.of(), NO_BODY, true);
        if (reply.status() != 200) {
          throw new IOException("the receive was answered " + reply);
        }
        JsonNode messages = reply.json().get("messages");
        if (oneRequestPerAcknowledgement) {
          acknowledgeEach(messages, deliveries);
        } else {
          acknowledgeAll(client, messages, deliveries);
        }
        lingerAfterShort(messages);
      }

      @Override
      public void close() {
        client.close();
      }
    };
  }

  private OwnClient newAckerClient() {
    OwnClient client = new OwnClient(receiveUrls);
    ackerClients.add(client);
    return client;
  }

  /**
   * A request per message, all sent together so that the engine commits them in one group, each on
   * its acknowledging thread's own connections.
   */
  private void acknowledgeEach(JsonNode messages, MessagingSystem.Deliveries deliveries) {
    List<CompletableFuture<Void>> acks = new ArrayList<>();
    for (JsonNode m : messages) {
      deliveries.delivered(Base64.getDecoder().decode(m.get("body").asText()));
      String receipt = m.get("receipt").asText();
      acks.add(
          CompletableFuture.runAsync(
              () -> acknowledge(ackerClient.get(), receipt, deliveries), ackers));
    }
    acks.forEach(CompletableFuture::join);
  }

  /** A consumer that took less than a full batch lingers ({@link #CONSUMER_LINGER_MILLIS}). */
  private void lingerAfterShort(JsonNode messages) throws InterruptedException {
    if (messages.size() < RECEIVE_BATCH) {
      Thread.sleep(CONSUMER_LINGER_MILLIS);
    }
  }

  /** One request acknowledges what one receive delivered. */
  private void acknowledgeAll(
      OwnClient client, JsonNode messages, MessagingSystem.Deliveries deliveries)
      throws IOException {
    List<String> receipts = new ArrayList<>();
    for (JsonNode m : messages) {
      deliveries.delivered(Base64.getDecoder().decode(m.get("body").asText()));
      receipts.add(m.get("receipt").asText());
    }
    if (receipts.isEmpty()) {
      return;
    }
    EngineClient.Reply reply =
        client.call(
            "POST",
            EngineClient.acknowledgementsPath(destination),
            JSON_CONTENT,
            JSON.writeValueAsBytes(Map.of("receipts", receipts)),
            true);
    if (!reply.ok()) {
      receipts.forEach(r -> deliveries.failed());
      return;
    }
    deliveries.acknowledged(reply.json().get("acknowledged").asInt());
    reply.json().get("gone").forEach(r -> deliveries.failed());
  }

  private void acknowledge(
      OwnClient client, String receipt, MessagingSystem.Deliveries deliveries) {
    try {
      EngineClient.Reply reply =
          client.call(
              "DELETE", EngineClient.receiptPath(destination, receipt), Map.of(), NO_BODY, false);
      if (reply.ok()) {
        deliveries.acknowledged(1);
      } else {
        deliveries.failed();
      }
    } catch (IOException e) {
      deliveries.failed();
    }
  }

  /** Receives what the last run's consumers had not taken yet, until the queue is empty. */
  @Override
  public void empty() throws Exception {
    EngineClient engine = new EngineClient(receiveUrls.get(0));
    long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
    while (System.nanoTime() < deadline) {
      EngineClient.Reply reply = engine.destination(destination);
      if (!reply.ok() || reply.json().get("depth").asLong() == 0) {
        return;
      }
      new Workload(
              new Workload.Spec(
                  destination, reliability, 0, consumers, 16, Duration.ofSeconds(2), 0),
              this)
          .run();
    }
  }

  @Override
  public void close() throws InterruptedException {
    ackers.shutdown();
    // A connection is closed only once its thread is done with it; the process ends the others.
    if (ackers.awaitTermination(10, TimeUnit.SECONDS)) {
      ackerClients.forEach(OwnClient::close);
    }
  }

  /**
   * One load-generator thread's client: a {@link MemberConnection} of its own to each member, the
   * member chosen (and changed when it is gone or not active) by {@link MemberSetClient}.
   */
  private static final class OwnClient implements AutoCloseable {
    private final MemberSetClient members;
    private final Map<String, MemberConnection> connections = new HashMap<>();

    OwnClient(List<String> urls) {
      this.members = new MemberSetClient(urls, null);
    }

    /** A request to the member; see {@link MemberConnection#call}. */
    EngineClient.Reply call(
        String method, String path, Map<String, String> headers, byte[] body, boolean readOk)
        throws IOException {
      return members.call(
          m -> connection(m.baseUrl()).call(method, path, headers, body, readOk), PATIENCE);
    }

    /** A member named by a 503's {@code activeUrl} that cannot be reached: try the next. */
    private MemberConnection connection(String url) throws IOException {
      try {
        return connections.computeIfAbsent(url, MemberConnection::new);
      } catch (IllegalArgumentException e) {
        throw new IOException(e.getMessage(), e);
      }
    }

    @Override
    public void close() {
      connections.values().forEach(MemberConnection::close);
    }
  }

  private static Thread daemon(Runnable r) {
    Thread t = new Thread(r, "perf-ack");
    t.setDaemon(true);
    return t;
  }
}
