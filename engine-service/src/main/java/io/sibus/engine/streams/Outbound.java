package io.sibus.engine.streams;

import io.sibus.datastore.ErrorClass;
import io.sibus.datastore.Reliability;
import io.sibus.datastore.StreamOut;
import io.sibus.engine.health.Faults;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * The outgoing delivery streams of this engine while this member is active: one sender thread per
 * stream (target engine and reliability), woken when a message for it is committed; the flush of
 * all streams for a restart after restore. Everything is reloaded from the data store at each
 * activation, so a new active member continues its streams where the old one left them.
 */
public final class Outbound {
  private static final Logger LOG = Logger.getLogger(Outbound.class);
  private static final List<Reliability> STREAMED =
      List.of(Reliability.RELIABLE_PERSISTENT, Reliability.ASSURED_PERSISTENT);

  /** Where a flush of all streams stands. */
  public enum FlushState {
    NONE,
    IN_PROGRESS,
    COMPLETED
  }

  private final StreamContext context;
  private final StreamSender sender;
  private final StreamFlusher flusher;
  private final Map<String, StreamState> streams = new ConcurrentHashMap<>();
  private final Map<String, Thread> threads = new ConcurrentHashMap<>();
  private final Map<String, java.util.concurrent.atomic.AtomicLong> backlogs =
      new ConcurrentHashMap<>();
  private final Object wake = new Object();
  private volatile boolean running = true;
  private volatile boolean restoreDetected;
  private volatile FlushState flush = FlushState.NONE;

  public Outbound(
      String engine,
      io.sibus.engine.store.GroupCommit writer,
      javax.sql.DataSource dataSource,
      io.sibus.datastore.StreamStore store,
      Peers peers,
      io.sibus.engine.error.ErrorLog errors,
      io.sibus.engine.store.StoreFailures failures,
      Faults faults,
      int batch,
      boolean autoFlush) {
    this.context =
        new StreamContext(
            engine, writer, dataSource, store, peers, errors, failures, faults, batch, autoFlush);
    this.flusher = new StreamFlusher(context);
    this.sender = new StreamSender(context, flusher, this);
  }

  /** Loads the streams of the data store (at activation, before anything is sent). */
  public void load() throws SQLException {
    try (Connection c = context.dataSource().getConnection()) {
      context.store().countTransmit(c).forEach((target, count) -> backlog(target).set(count));
      for (StreamOut row : context.store().streamsOut(c)) {
        StreamState s = new StreamState(row.target(), row.reliability());
        s.load(row);
        streams.put(s.key(), s);
      }
    }
  }

  /** Starts sending every loaded stream (a normal start). */
  public void startSending() {
    streams.values().forEach(this::startSender);
  }

  /**
   * Restart after restore: every stream to every other engine of the bus is flushed (also the
   * streams this restored store no longer has), then {@code done} runs (SIBUS0783I).
   */
  public void flushAll(Collection<String> otherEngines, Runnable done) {
    flush = FlushState.IN_PROGRESS;
    streams.values().forEach(s -> s.held = true); // nothing is sent on an old stream meanwhile
    Thread t =
        new Thread(
            () -> {
              try {
                flushEach(otherEngines, done);
              } catch (RuntimeException | Error e) {
                // The flush would stay IN_PROGRESS, and the held streams unsent, without a word. A
                // stream's own flush retries what fails in it; what fails between two (starting a
                // sender, the completion report) is a defect. The member stops; a stream left
                // unflushed is held again at its handshake (SIBUS0785E), or flushed by a restart
                // after restore.
                context.failures().dutyEnded("flush of the delivery streams", e);
              }
            },
            "sibus-stream-flush");
    t.setDaemon(true);
    t.start();
  }

  private void flushEach(Collection<String> otherEngines, Runnable done) {
    List<StreamState> all = new ArrayList<>(streams.values());
    for (String engine : otherEngines) {
      for (Reliability r : STREAMED) {
        if (!streams.containsKey(StreamState.key(engine, r))) {
          StreamState s = new StreamState(engine, r);
          s.nextTick = 1;
          streams.put(s.key(), s);
          all.add(s);
        }
      }
    }
    for (StreamState s : all) {
      if (!flusher.flush(s, this::running)) {
        return;
      }
      startSender(s);
      wakeUp();
    }
    context.faults().maybeFail(Faults.Duty.STREAM_FLUSH);
    flush = FlushState.COMPLETED;
    done.run();
  }

  /** A message for {@code target} was committed on its stream. */
  public void committed(String target, Reliability reliability, long count) {
    StreamState s =
        streams.computeIfAbsent(
            StreamState.key(target, reliability), k -> new StreamState(target, reliability));
    backlog(target).addAndGet(count);
    startSender(s);
    wakeUp();
  }

  /** Messages held for {@code target} and not yet acknowledged by it. */
  /** Messages held for every other engine, not yet acknowledged by it. */
  public long pendingTotal() {
    return backlogs.values().stream().mapToLong(java.util.concurrent.atomic.AtomicLong::get).sum();
  }

  public long pending(String target) {
    return backlog(target).get();
  }

  /** The target acknowledged {@code count} more messages. */
  void acknowledged(String target, long count) {
    backlog(target).addAndGet(-count);
  }

  private java.util.concurrent.atomic.AtomicLong backlog(String target) {
    return backlogs.computeIfAbsent(target, t -> new java.util.concurrent.atomic.AtomicLong());
  }

  public boolean restoreDetected() {
    return restoreDetected;
  }

  void markRestoreDetected() {
    restoreDetected = true;
  }

  public FlushState flushState() {
    return flush;
  }

  boolean running() {
    return running;
  }

  public void stop() {
    running = false;
    threads.values().forEach(Thread::interrupt);
  }

  private void startSender(StreamState s) {
    threads.computeIfAbsent(
        s.key(),
        k -> {
          Thread t =
              new Thread(() -> loop(s), "sibus-stream-" + s.target + "-" + s.reliability.code());
          t.setDaemon(true);
          t.start();
          return t;
        });
  }

  private void loop(StreamState s) {
    long backoff = 100;
    while (running) {
      try {
        if (s.streamId == null && !reload(s)) {
          pause(200);
          continue;
        }
        context.faults().maybeFail(Faults.Duty.STREAM_SENDER);
        if (sender.round(s)) {
          backoff = 100;
          continue;
        }
        backoff = 100;
        pause(s.held ? 2000 : 1000);
      } catch (Peers.PeerException e) {
        if (backoff == 100) { // the first failure after a success: once, not at every retry
          LOG.warnf(
              "SIBUS0051W Delivery stream %s cannot reach messaging engine %s (%s); it retries.",
              s, s.target, e.getMessage());
        }
        pause(backoff);
        backoff = Math.min(5000, backoff * 2);
      } catch (SQLException e) {
        pause(backoff);
        backoff = Math.min(5000, backoff * 2);
      } catch (InterruptedException e) {
        return;
      } catch (RuntimeException e) {
        context
            .errors()
            .report(
                ErrorClass.RECOVERABLE,
                "SIBUS0051W",
                "The sender of delivery stream " + s + " failed (" + e + ") and starts again.",
                "None.");
        pause(1000);
      } catch (Error e) {
        // Ended without a word, the stream's messages would wait for ever on a healthy member.
        context.failures().dutyEnded("sender of delivery stream " + s, e);
        return;
      }
    }
  }

  /** A stream created by a send: its id and ticks come from the data store. */
  private boolean reload(StreamState s) throws SQLException {
    try (Connection c = context.dataSource().getConnection()) {
      for (StreamOut row : context.store().streamsOut(c)) {
        if (row.target().equals(s.target) && row.reliability() == s.reliability) {
          s.load(row);
          return true;
        }
      }
    }
    return false;
  }

  private void wakeUp() {
    synchronized (wake) {
      wake.notifyAll();
    }
  }

  private void pause(long millis) {
    synchronized (wake) {
      try {
        wake.wait(millis);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
