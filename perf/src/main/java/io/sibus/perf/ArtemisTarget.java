package io.sibus.perf;

import io.sibus.local.LocalPostgres;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.apache.activemq.artemis.api.core.QueueConfiguration;
import org.apache.activemq.artemis.api.core.RoutingType;
import org.apache.activemq.artemis.api.core.client.ActiveMQClient;
import org.apache.activemq.artemis.api.core.client.ClientConsumer;
import org.apache.activemq.artemis.api.core.client.ClientMessage;
import org.apache.activemq.artemis.api.core.client.ClientProducer;
import org.apache.activemq.artemis.api.core.client.ClientSession;
import org.apache.activemq.artemis.api.core.client.ClientSessionFactory;
import org.apache.activemq.artemis.api.core.client.ServerLocator;
import org.apache.activemq.artemis.core.config.Configuration;
import org.apache.activemq.artemis.core.config.impl.ConfigurationImpl;
import org.apache.activemq.artemis.core.config.storage.DatabaseStorageConfiguration;
import org.apache.activemq.artemis.core.persistence.impl.journal.JDBCJournalStorageManager;
import org.apache.activemq.artemis.core.server.ActiveMQServer;
import org.apache.activemq.artemis.core.server.ActiveMQServers;

/**
 * ActiveMQ Artemis embedded in the benchmark's JVM, persisting to its JDBC store in a database of
 * its own on the benchmark's PostgreSQL, with one durable anycast queue {@code perf}.
 *
 * <p>Clients use the Artemis core client over a netty acceptor on 127.0.0.1, not the in-VM one:
 * sibus's clients pay a loopback socket and a wire format, so Artemis's pay theirs too (in-VM would
 * skip its encoding and network path, which no real client does). Durable messages are sent with
 * {@code blockOnDurableSend}: the send returns after the server has committed the message to the
 * database, the durability of sibus's assured persistent send. Consumers acknowledge each message
 * in a transacted session and commit the batch they received: the commit returns once the
 * acknowledgements are in the database, as sibus's acknowledgements are.
 */
final class ArtemisTarget implements MessagingSystem {
  private static final String QUEUE = "perf";

  /** The database its JDBC store uses, which the comparison creates anew for each start. */
  static final String DATABASE = "artemis";

  private static final int RECEIVE_BATCH = 50;

  private final ActiveMQServer server;
  private final ServerLocator locator;

  private ArtemisTarget(ActiveMQServer server, ServerLocator locator) {
    this.server = server;
    this.locator = locator;
  }

  /**
   * Starts the broker with its JDBC store in the database at {@code jdbcUrl} (reached on
   * PostgreSQL's own port, or a relay's); a broker that fails to start is stopped again.
   */
  static ArtemisTarget start(String jdbcUrl, Path work) throws Exception {
    int port = freePort();
    Configuration config = configuration(jdbcUrl, port, work.resolve("artemis"));
    ActiveMQServer server = ActiveMQServers.newActiveMQServer(config);
    try {
      server.start();
      if (!server.waitForActivation(60, TimeUnit.SECONDS)) {
        throw new IllegalStateException("the embedded Artemis did not become active");
      }
      // A broker that keeps messages in memory only would be measured at a durability it does not
      // offer (a mistaken flag is enough: newActiveMQServer(config, false) turns persistence off).
      if (!(server.getStorageManager() instanceof JDBCJournalStorageManager)) {
        throw new IllegalStateException(
            "the embedded Artemis does not use its JDBC store: "
                + server.getStorageManager().getClass().getSimpleName());
      }
      ServerLocator locator = ActiveMQClient.createServerLocator("tcp://127.0.0.1:" + port);
      locator.setBlockOnDurableSend(true);
      return new ArtemisTarget(server, locator);
    } catch (Exception e) {
      try {
        server.stop();
      } catch (Exception stopping) {
        e.addSuppressed(stopping);
      }
      throw e;
    }
  }

  private static Configuration configuration(String jdbcUrl, int port, Path directory)
      throws Exception {
    // Artemis's defaults otherwise, among them the period of its JDBC journal's syncs (the report
    // names it).
    DatabaseStorageConfiguration store = new DatabaseStorageConfiguration();
    store.setJdbcConnectionUrl(jdbcUrl);
    store.setJdbcUser(LocalPostgres.USER);
    store.setJdbcDriverClassName("org.postgresql.Driver");
    Configuration config =
        new ConfigurationImpl()
            .setPersistenceEnabled(true)
            .setSecurityEnabled(false)
            .setJMXManagementEnabled(false)
            .setStoreConfiguration(store)
            // The store is the database: the local disk's fill level must not block producers.
            .setMaxDiskUsage(-1)
            // Files it may still want (the server lock) go under the benchmark's directory.
            .setJournalDirectory(directory.resolve("journal").toString())
            .setBindingsDirectory(directory.resolve("bindings").toString())
            .setPagingDirectory(directory.resolve("paging").toString())
            .setLargeMessagesDirectory(directory.resolve("large-messages").toString())
            .addAcceptorConfiguration("netty", "tcp://127.0.0.1:" + port)
            .addQueueConfiguration(
                QueueConfiguration.of(QUEUE)
                    .setAddress(QUEUE)
                    .setRoutingType(RoutingType.ANYCAST)
                    .setDurable(true));
    return config.setCriticalAnalyzer(false);
  }

  String storageClass() {
    return server.getStorageManager().getClass().getName()
        + " journal "
        + server.getConfiguration().getJournalType()
        + " store "
        + server.getConfiguration().getStoreConfiguration();
  }

  @Override
  public String name() {
    return "Artemis " + version() + " JDBC";
  }

  /** The broker's version, for the report. */
  String version() {
    return server.getVersion().getFullVersion();
  }

  /** How often the JDBC journal writes and commits what it has gathered, for the report. */
  long journalSyncMillis() {
    return ((DatabaseStorageConfiguration) server.getConfiguration().getStoreConfiguration())
        .getJdbcJournalSyncPeriodMillis();
  }

  @Override
  public Sender sender() throws Exception {
    ClientSessionFactory factory = locator.createSessionFactory();
    ClientSession session = factory.createSession(false, true, true);
    ClientProducer producer = session.createProducer(QUEUE);
    return new Sender() {
      @Override
      public void send(byte[] body) throws Exception {
        ClientMessage message = session.createMessage(true);
        message.getBodyBuffer().writeBytes(body);
        producer.send(message); // durable and blocking: returns after the store's commit
      }

      @Override
      public void close() {
        factory.close();
      }
    };
  }

  @Override
  public Receiver receiver() throws Exception {
    ClientSessionFactory factory = locator.createSessionFactory();
    ClientSession session = factory.createSession(false, true, false); // transacted acks
    ClientConsumer consumer = session.createConsumer(QUEUE);
    session.start();
    return new Receiver() {
      @Override
      public void receive(Deliveries deliveries) throws Exception {
        int taken = 0;
        for (ClientMessage m = consumer.receive(200);
            m != null;
            m = taken < RECEIVE_BATCH ? consumer.receiveImmediate() : null) {
          byte[] body = new byte[m.getBodySize()];
          m.getBodyBuffer().readBytes(body);
          deliveries.delivered(body);
          m.acknowledge();
          taken++;
        }
        if (taken > 0) {
          session.commit(); // blocking: returns after the acknowledgements are stored
          deliveries.acknowledged(taken);
        }
      }

      @Override
      public void close() {
        factory.close();
      }
    };
  }

  /** Deletes what the last run's consumers had not taken. */
  @Override
  public void empty() throws Exception {
    server.locateQueue(QUEUE).deleteAllReferences();
  }

  @Override
  public void close() throws Exception {
    try {
      locator.close();
    } finally {
      server.stop(); // its JDBC connections with it, before the next round drops its database
    }
  }

  private static int freePort() throws java.io.IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
