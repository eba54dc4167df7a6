package io.sibus.engine.lifecycle;

import io.sibus.datastore.Activation;
import io.sibus.engine.config.SibusConfig;
import io.sibus.engine.error.EachStep;
import io.sibus.engine.health.Faults;
import io.sibus.engine.health.LoopMonitor;
import io.sibus.engine.messaging.Messaging;
import io.sibus.engine.metrics.EngineMetrics;
import io.sibus.engine.store.GroupCommit;
import io.sibus.engine.store.StoreContext;
import io.sibus.engine.store.StoreFailures;
import java.sql.SQLException;
import java.time.Duration;
import javax.sql.DataSource;

/**
 * The work of one activation: the writer, which stores everything the member takes in, and the
 * messaging it serves. Begun and stopped on the lifecycle thread; whether it runs is read from any.
 */
final class ActiveWork {
  private final SibusConfig config;
  private final StoreContext context;
  private final DataSource dataSource;
  private final Messaging messaging;
  private final LoopMonitor monitor;
  private final Faults faults;
  private final EngineMetrics metrics;
  private volatile GroupCommit writer;

  ActiveWork(
      SibusConfig config,
      StoreContext context,
      DataSource dataSource,
      Messaging messaging,
      LoopMonitor monitor,
      Faults faults,
      EngineMetrics metrics) {
    this.config = config;
    this.context = context;
    this.dataSource = dataSource;
    this.messaging = messaging;
    this.monitor = monitor;
    this.faults = faults;
    this.metrics = metrics;
  }

  /**
   * Starts the writer and the messaging of {@code activation}; {@code flushed}, if not null, runs
   * once every delivery stream is flushed (a restart after restore).
   */
  void begin(Activation activation, StoreFailures failures, Runnable flushed) throws SQLException {
    writer =
        new GroupCommit(
            dataSource,
            context.ownership(),
            context.messages(),
            context.streams(),
            failures,
            monitor,
            faults,
            metrics,
            config.engine().writerThreads(),
            config.engine().maxBatch());
    writer.start(activation.epoch());
    messaging.activate(activation.epoch(), activation.incarnation(), writer, failures, flushed);
  }

  /**
   * True from the start of an activation (its writer is created before the member reports ACTIVE)
   * until its work is stopped.
   */
  boolean running() {
    return writer != null;
  }

  /** Fails what waits to be written, and whatever is submitted next, with {@code reason}. */
  void refuse(RuntimeException reason) {
    GroupCommit current = writer;
    if (current != null) {
      current.reject(reason);
    }
  }

  /** Lets the writer finish what it was given, up to {@code timeout}. */
  void drain(Duration timeout) {
    GroupCommit current = writer;
    if (current != null) {
      current.drain(timeout);
    }
  }

  /** The store is back at {@code epoch}: reload what it holds and write again. */
  void resume(long epoch) throws SQLException {
    messaging.reloadPersistent();
    writer.start(epoch);
    messaging.resumed();
  }

  /**
   * Stops the messaging work and the writer, each whatever the other fails with (the first failure
   * is thrown once all are stopped): a member that stops serving serves nothing more.
   */
  void stop(RuntimeException reason) {
    GroupCommit left = writer;
    writer = null;
    EachStep.runAll(
        messaging::deactivate,
        () -> {
          if (left != null) {
            left.reject(reason);
          }
        },
        () -> {
          if (left != null) {
            left.shutdown();
          }
        });
  }
}
