package io.sibus.engine.messaging;

import io.quarkus.runtime.StartupEvent;
import io.sibus.datastore.TableUpkeep;
import io.sibus.engine.bus.BusConfigSource;
import io.sibus.engine.bus.BusTopology;
import io.sibus.engine.config.SibusConfig;
import io.sibus.engine.error.ApiException;
import io.sibus.engine.error.EachStep;
import io.sibus.engine.error.ErrorLog;
import io.sibus.engine.health.Faults;
import io.sibus.engine.lifecycle.EngineState;
import io.sibus.engine.lifecycle.MemberStatus;
import io.sibus.engine.metrics.EngineMetrics;
import io.sibus.engine.store.GroupCommit;
import io.sibus.engine.store.StoreContext;
import io.sibus.engine.store.StoreFailures;
import io.sibus.engine.store.TxOp;
import io.sibus.engine.store.Vacuuming;
import io.sibus.engine.streams.Outbound;
import io.sibus.engine.streams.Peers;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;
import javax.sql.DataSource;
import org.jboss.logging.Logger;

/**
 * The messaging face of the engine: send, receive, acknowledge, release, destinations. Serves only
 * while this member is active ({@link #activate}); every call made otherwise is answered with the
 * member's state and where the active member is.
 */
@ApplicationScoped
public class Messaging {
  private static final Logger LOG = Logger.getLogger(Messaging.class);
  private final SibusConfig config;
  private final MemberStatus status;
  private final StoreContext context;
  private final DataSource dataSource;
  private final BusConfigSource bus;
  private final Destinations destinations;
  private final Sending sending;
  private final Delivering delivering;
  private final ExceptionRouter exceptions;
  private final Orphans orphans;
  private final StoredIndex storedIndex;
  private final DestinationViews views;
  private final Sweeper sweeper;
  private final Vacuuming vacuuming;
  private final Peers peers;
  private final ErrorLog errors;
  private final Faults faults;
  private final Quiesce quiesce = new Quiesce();
  private volatile ActiveStore active;

  public Messaging(
      SibusConfig config,
      MemberStatus status,
      StoreContext context,
      DataSource dataSource,
      BusConfigSource bus,
      EngineMetrics metrics,
      Peers peers,
      ErrorLog errors,
      Faults faults) {
    this.peers = peers;
    this.errors = errors;
    this.faults = faults;
    this.config = config;
    this.status = status;
    this.context = context;
    this.dataSource = dataSource;
    this.bus = bus;
    this.destinations = new Destinations(config.engine().name(), BusTopology.empty(""));
    ExecutorService executor = deliveryExecutor();
    this.sending =
        new Sending(
            metrics,
            config.engine().nonpersistentCapacity(),
            config.engine().maxPendingPerTarget(),
            peers,
            config.engine().name(),
            executor);
    this.exceptions = new ExceptionRouter(context.messages(), destinations, faults);
    this.delivering = new Delivering(metrics, exceptions, executor);
    this.orphans = new Orphans(name -> destinations.find(name).isPresent(), exceptions::moveAll);
    this.storedIndex = new StoredIndex(dataSource, context.messages());
    this.views = new DestinationViews(destinations, () -> active, metrics);
    this.sweeper = new Sweeper(this, faults);
    this.vacuuming =
        new Vacuuming(
            dataSource,
            new TableUpkeep(context.schema()),
            config.engine().vacuumThreshold(),
            faults);
    registerStateGauges(metrics, status);
  }

  /**
   * Two threads for work kept off the thread that starts or wakes it: a nonpersistent send
   * forwarded to the engine that hosts its destination (a blocking HTTP call), and a waiting
   * receive's next pick once woken (by a send's event loop, the completer, or the JDK's timeout
   * thread).
   */
  private static ExecutorService deliveryExecutor() {
    return Executors.newFixedThreadPool(
        2,
        r -> {
          Thread t = new Thread(r, "sibus-delivery");
          t.setDaemon(true);
          return t;
        });
  }

  /** One gauge per state, 1 for the state the member is in. */
  private static void registerStateGauges(EngineMetrics metrics, MemberStatus status) {
    for (EngineState state : EngineState.values()) {
      metrics.gauge(
          "sibus.engine.state",
          Map.of("state", state.name()),
          status,
          s -> s.state() == state ? 1 : 0);
    }
  }

  void onStart(@Observes StartupEvent event) {
    destinations.update(bus.current());
    views.registerDepthGauges();
    bus.onChange(this::topologyChanged);
  }

  /**
   * This member now holds the data store: load the delivery index of every stored message and begin
   * serving. Messages of destinations the configuration no longer has are moved to the exception
   * destination.
   */
  public void activate(
      long epoch, UUID incarnation, GroupCommit writer, StoreFailures failures, Runnable flushed)
      throws SQLException {
    ActiveStore store =
        new ActiveStore(config.engine().name(), epoch, incarnation, writer, failures);
    store.outbound =
        new Outbound(
            config.engine().name(),
            writer,
            dataSource,
            context.streams(),
            peers,
            errors,
            failures,
            faults,
            config.engine().streamBatch(),
            config.engine().autoFlushOnRestore());
    store.outbound.load();
    storedIndex.load(store);
    active = store;
    orphans.move(store);
    sweeper.start(config.engine().pollInterval(), failures);
    vacuuming.start(failures);
    if (flushed != null) {
      List<String> others =
          bus.current().engines().stream()
              .filter(e -> !e.urls().isEmpty()) // an engine without an address cannot be told
              .map(BusTopology.EngineRef::name)
              .filter(name -> !name.equals(config.engine().name()))
              .toList();
      store.outbound.flushAll(others, flushed);
    } else {
      store.outbound.startSending();
    }
  }

  /** The outgoing streams of the active member (null otherwise). */
  public Outbound outbound() {
    ActiveStore store = active;
    return store == null ? null : store.outbound;
  }

  /**
   * Stops serving; the in-memory state (nonpersistent messages included) is dropped. Calls are
   * refused first; then each part of the work is stopped, whatever the others fail with (the first
   * failure is thrown, the others kept with it).
   */
  public void deactivate() {
    ActiveStore store = active;
    active = null;
    Outbound outbound = store == null ? null : store.outbound;
    EachStep.runAll(
        () -> faults.maybeFail(Faults.Duty.STOP),
        sweeper::stop,
        vacuuming::stop,
        () -> {
          if (outbound != null) {
            outbound.stop();
          }
        });
  }

  /**
   * Re-reads the persistent part of the index (after the data store came back from an outage, when
   * the outcome of the last commits is unknown). Nonpersistent messages are kept.
   */
  public void reloadPersistent() throws SQLException {
    ActiveStore store = active;
    if (store != null) {
      storedIndex.reloadPersistent(store);
    }
  }

  /**
   * The writer runs again after an outage ({@link #reloadPersistent} before it): the messages of a
   * destination removed from the bus meanwhile go to the exception destination now. They were not
   * moved during the outage; the housekeeping's passes would move them too, but not while a move
   * that failed as the outage began waits for its retry (up to 5 minutes).
   */
  public void resumed() {
    ActiveStore store = active;
    if (store != null) {
      orphans.move(store);
    }
  }

  public CompletableFuture<SendResult> send(String destination, SendRequest request) {
    requireActive();
    return quiesce.around(() -> sendNow(destination, request));
  }

  /** Pauses new sends for a bus-wide consistent backup (lifted after {@code timeoutMillis}). */
  public void quiesce(long timeoutMillis) {
    quiesce.start(timeoutMillis);
  }

  /** Ends the pause; returns the sends that waited and the longest wait, in ms. */
  public long[] resume() {
    return quiesce.resume();
  }

  public boolean quiesced() {
    return quiesce.active();
  }

  private CompletableFuture<SendResult> sendNow(String destination, SendRequest request) {
    ActiveStore store = requireActive();
    Optional<Destination> local = destinations.find(destination);
    if (local.isPresent()) {
      return sending.send(store, local.get(), request);
    }
    Destination remote =
        destinations
            .findRemote(destination)
            .orElseThrow(() -> ApiException.unknownDestination(destination));
    return sending.sendRemote(store, remote, request);
  }

  /**
   * A receive whose caller may go away while it waits: once {@code abandoned} says so, a receive
   * that has not picked its messages yet ends with nothing rather than lock messages for nobody
   * until their locks expire. (A caller that leaves after the pick gets its messages given back
   * ({@link #giveBack}) if its leaving is seen before the answer is written; one whose answer is
   * lost on the way is not told apart: its messages come back when their locks expire.)
   */
  public CompletableFuture<List<Delivery>> receive(
      String destination, int max, long waitMs, long lockMs, BooleanSupplier abandoned) {
    ActiveStore store = requireActive();
    Destination d = requireDestination(destination);
    return delivering.receive(
        store, d, max, lockMs, System.currentTimeMillis() + waitMs, abandoned);
  }

  public CompletableFuture<Void> acknowledge(String destination, UUID receipt) {
    ActiveStore store = requireActive();
    return delivering.acknowledge(store, requireDestination(destination), receipt);
  }

  /**
   * Acknowledges several receipts in one call: their deletes commit together in one transaction,
   * and the client saves a request per message. Completes with the receipts that were not
   * acknowledged because their locks are gone (expired, or acknowledged already). When the store
   * fails, the call fails and none of its persistent messages is acknowledged: the client sends the
   * same list again, and its nonpersistent messages, acknowledged in memory the first time, come
   * back as gone.
   */
  public CompletableFuture<List<UUID>> acknowledgeAll(String destination, List<UUID> receipts) {
    ActiveStore store = requireActive();
    return delivering.acknowledgeAll(store, requireDestination(destination), receipts);
  }

  public CompletableFuture<Void> release(String destination, UUID receipt) {
    ActiveStore store = requireActive();
    return delivering.release(store, requireDestination(destination), receipt);
  }

  /**
   * Gives back the messages of a receive whose caller went away before it could be told of them, as
   * if their locks had expired at once (their deliveries stay counted, as they would then). Those
   * that cannot be given back now (the member stopped, the store failed) come back when their locks
   * expire.
   */
  public void giveBack(String destination, List<Delivery> deliveries) {
    try {
      List<UUID> receipts = deliveries.stream().map(d -> UUID.fromString(d.receipt())).toList();
      delivering.giveBack(requireActive(), requireDestination(destination), receipts);
    } catch (RuntimeException e) {
      LOG.debugf(
          "%d unanswered deliveries of %s wait for their locks to expire: %s",
          deliveries.size(), destination, e);
    }
  }

  public List<DestinationView> destinations() {
    return views.all();
  }

  public DestinationView destination(String name) {
    return views.of(requireDestination(name));
  }

  /**
   * The work of a recovery start (this member holds the store at {@code epoch} but does not serve).
   * Returns a summary for the log.
   */
  public String recover(long epoch) throws SQLException {
    return Recovery.run(
            dataSource,
            context.ownership(),
            context.messages(),
            destinations,
            epoch,
            bus.current().dedupWindow())
        .toString();
  }

  /** Runs work in a fenced group-commit transaction of the active member. */
  public <T> CompletableFuture<T> inTransaction(TxOp.Work<T> work) {
    return requireActive().writer.submit(new TxOp<>(work));
  }

  void sweep() {
    ActiveStore store = active;
    if (store != null) {
      long now = System.currentTimeMillis();
      delivering.expireLocks(store, destinations, now);
      delivering.removeExpired(store, now);
      orphans.sweep(store);
    }
  }

  void purgeIdempotency() {
    ActiveStore store = active;
    if (store == null || !store.writer.accepting()) {
      return;
    }
    long window = bus.current().dedupWindow().toMillis();
    store.memoryKeys.purge(System.currentTimeMillis() - window);
    store.writer.submit(new TxOp<>(c -> context.messages().purgeIdempotency(c, window)));
    store.writer.submit(new TxOp<>(c -> context.streams().purgeSeen(c, window)));
  }

  private void topologyChanged(BusTopology topology) {
    destinations.update(topology);
    views.registerDepthGauges();
    ActiveStore store = active;
    if (store != null) {
      orphans.move(store);
    }
  }

  private ActiveStore requireActive() {
    ActiveStore store = active;
    if (store == null) {
      throw status.notServing();
    }
    return store;
  }

  private Destination requireDestination(String name) {
    Optional<Destination> local = destinations.find(name);
    if (local.isPresent()) {
      return local.get();
    }
    Optional<Destination> remote = destinations.findRemote(name);
    if (remote.isPresent()) {
      String engine = remote.get().localizedOn();
      throw ApiException.localizedElsewhere(
          name,
          engine,
          bus.current().engine(engine).map(BusTopology.EngineRef::urls).orElse(List.of()));
    }
    throw ApiException.unknownDestination(name);
  }

  ActiveStore activeStore() {
    return requireActive();
  }

  Destinations destinationSet() {
    return destinations;
  }

  long dedupWindowMillis() {
    return bus.current().dedupWindow().toMillis();
  }
}
