package io.sibus.perf;

import com.fasterxml.jackson.databind.JsonNode;
import io.sibus.local.EngineClient;
import io.sibus.local.MemberSetClient;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * sibus as a {@link MessagingSystem}: producers and consumers are HTTP clients of the engine's API,
 * each with the reliability level of the run.
 */
final class SibusClients implements MessagingSystem, AutoCloseable {
  static final int RECEIVE_BATCH = 50;

  private final List<String> sendUrls;
  private final List<String> receiveUrls;
  private final String destination;
  private final String reliability;
  private final int consumers;
  private final ExecutorService ackers = Executors.newFixedThreadPool(16, SibusClients::daemon);
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
  public Sender sender() {
    MemberSetClient client = new MemberSetClient(sendUrls, null);
    return body -> {
      EngineClient.Reply reply =
          client.call(
              m ->
                  m.send(
                      destination,
                      new EngineClient.Outgoing(body)
                          .reliability(reliability)
                          .contentType("application/octet-stream")),
              Duration.ofSeconds(10));
      if (reply.status() != 201) {
        throw new IOException("the send was answered " + reply.status());
      }
    };
  }

  @Override
  public Receiver receiver() {
    MemberSetClient client = new MemberSetClient(receiveUrls, null);
    return deliveries -> {
      EngineClient.Reply reply =
          client.call(
              m -> m.receive(destination, RECEIVE_BATCH, 200, 60_000), Duration.ofSeconds(10));
      if (reply.status() != 200) {
        throw new IOException("the receive was answered " + reply.status());
      }
      JsonNode messages = reply.json().get("messages");
      if (oneRequestPerAcknowledgement) {
        acknowledgeEach(client, messages, deliveries);
      } else {
        acknowledgeAll(client, messages, deliveries);
      }
      lingerAfterShort(messages);
    };
  }

  /** A request per message, all sent together so that the engine commits them in one group. */
  private void acknowledgeEach(
      MemberSetClient client, JsonNode messages, MessagingSystem.Deliveries deliveries) {
    List<CompletableFuture<Void>> acks = new ArrayList<>();
    for (JsonNode m : messages) {
      deliveries.delivered(Base64.getDecoder().decode(m.get("body").asText()));
      String receipt = m.get("receipt").asText();
      acks.add(CompletableFuture.runAsync(() -> acknowledge(client, receipt, deliveries), ackers));
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
      MemberSetClient client, JsonNode messages, MessagingSystem.Deliveries deliveries)
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
        client.call(c -> c.acknowledgeAll(destination, receipts), Duration.ofSeconds(10));
    if (!reply.ok()) {
      receipts.forEach(r -> deliveries.failed());
      return;
    }
    deliveries.acknowledged(reply.json().get("acknowledged").asInt());
    reply.json().get("gone").forEach(r -> deliveries.failed());
  }

  private void acknowledge(
      MemberSetClient client, String receipt, MessagingSystem.Deliveries deliveries) {
    try {
      EngineClient.Reply reply =
          client.call(c -> c.acknowledge(destination, receipt), Duration.ofSeconds(10));
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
  public void close() {
    ackers.shutdown();
  }

  private static Thread daemon(Runnable r) {
    Thread t = new Thread(r, "perf-ack");
    t.setDaemon(true);
    return t;
  }
}
