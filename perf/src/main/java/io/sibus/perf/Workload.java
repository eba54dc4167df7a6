package io.sibus.perf;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Recorder;

/**
 * One measured run: producers send messages of a fixed size (as fast as they go, or at a fixed
 * total rate), consumers receive and acknowledge. Each body starts with its send time, so the
 * consumers measure end-to-end latency. The system under load is a {@link MessagingSystem}, so that
 * sibus, Artemis and the bare database are measured by the same loop.
 */
final class Workload implements AutoCloseable {
  /** What the run is. */
  record Spec(
      String destination,
      String reliability,
      int producers,
      int consumers,
      int size,
      Duration duration,
      int ratePerSecond) {}

  /** What the run measured. */
  record Result(
      Spec spec,
      double seconds,
      long sent,
      long received,
      long errors,
      org.HdrHistogram.Histogram sendLatency,
      org.HdrHistogram.Histogram endToEnd,
      List<Stalls.Stall> stalls,
      MachineCpu.Usage cpu) {}

  /** A send slower than this is listed with its time in {@link Result#stalls()}. */
  private static final long STALL_MICROS = 50_000;

  private final Spec spec;
  private final MessagingSystem system;
  private final Recorder sendLatency = new Recorder(3);
  private final Recorder endToEnd = new Recorder(3);
  private final AtomicLong sent = new AtomicLong();
  private final AtomicLong received = new AtomicLong();
  private final AtomicLong errors = new AtomicLong();
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final List<Thread> threads = new ArrayList<>();
  private volatile Stalls stalls = new Stalls(STALL_MICROS);

  /** Where the producers' schedule starts over: the start of the interval being measured. */
  private volatile long scheduleFrom = Long.MIN_VALUE;

  Workload(Spec spec, MessagingSystem system) {
    this.spec = spec;
    this.system = system;
  }

  /** Runs the load for the spec's duration, measured from its start, then stops it. */
  Result run() throws InterruptedException {
    try {
      return start().measure(spec.duration());
    } finally {
      close();
    }
  }

  /** Starts the consumers and producers; they run until {@link #close()}. */
  Workload start() {
    for (int i = 0; i < spec.consumers(); i++) {
      threads.add(start("perf-consumer-" + i, this::consume));
    }
    for (int i = 0; i < spec.producers(); i++) {
      threads.add(start("perf-producer-" + i, this::produce));
    }
    return this;
  }

  /**
   * What the running load does during the next {@code duration}. Called again on the same load, it
   * measures without a pause in between: warm-up steps and the measured interval follow each other
   * with no idle gap, in which the JIT would recompile for an idle engine (and then again, with
   * stalls, once the load is back).
   */
  Result measure(Duration duration) throws InterruptedException {
    scheduleFrom = System.nanoTime();
    long sentBefore = sent.get();
    long receivedBefore = received.get();
    long errorsBefore = errors.get();
    sendLatency.getIntervalHistogram(); // reset: count from here
    endToEnd.getIntervalHistogram();
    Stalls interval = new Stalls(STALL_MICROS);
    stalls = interval;
    MachineCpu.Sample cpuBefore = MachineCpu.sample();
    long started = System.nanoTime();
    Thread.sleep(duration.toMillis());
    double seconds = (System.nanoTime() - started) / 1e9;
    MachineCpu.Sample cpuAfter = MachineCpu.sample();
    return new Result(
        spec,
        seconds,
        sent.get() - sentBefore,
        received.get() - receivedBefore,
        errors.get() - errorsBefore,
        sendLatency.getIntervalHistogram(),
        endToEnd.getIntervalHistogram(),
        interval.list(),
        MachineCpu.between(cpuBefore, cpuAfter, seconds));
  }

  /** Stops the load and waits for its threads. */
  @Override
  public void close() throws InterruptedException {
    running.set(false);
    for (Thread t : threads) {
      t.join(70_000);
    }
  }

  private Thread start(String name, Runnable body) {
    Thread t = new Thread(body, name);
    t.setDaemon(true);
    t.start();
    return t;
  }

  private void produce() {
    long intervalNanos =
        spec.ratePerSecond() > 0
            ? TimeUnit.SECONDS.toNanos(1) * spec.producers() / spec.ratePerSecond()
            : 0;
    long next = System.nanoTime();
    byte[] body = new byte[Math.max(16, spec.size())];
    try (MessagingSystem.Sender sender = system.sender()) {
      while (running.get()) {
        if (intervalNanos > 0) {
          // Sends a stall before this interval (in the warm-up) left owing are not this
          // interval's: it starts on schedule, or it would report that stall as its own.
          next = Math.max(next, scheduleFrom);
          long wait = next - System.nanoTime();
          if (wait > 0) {
            sleepNanos(wait);
          }
          next += intervalNanos;
        }
        ByteBuffer.wrap(body).putLong(micros());
        long t0 = System.nanoTime();
        try {
          sender.send(body);
          // Coordinated omission: at a fixed rate, latency counts from the intended start.
          long from = intervalNanos > 0 ? Math.min(t0, next - intervalNanos) : t0;
          long micros = Math.max(1, (System.nanoTime() - from) / 1000);
          sendLatency.recordValue(micros);
          stalls.record(System.currentTimeMillis() - micros / 1000, micros);
          sent.incrementAndGet();
        } catch (Exception e) {
          errors.incrementAndGet();
        }
      }
    } catch (Exception e) {
      errors.incrementAndGet(); // could not connect or close
    }
  }

  private void consume() {
    MessagingSystem.Deliveries deliveries = new Counting();
    try (MessagingSystem.Receiver receiver = system.receiver()) {
      while (running.get()) {
        try {
          receiver.receive(deliveries);
        } catch (Exception e) {
          errors.incrementAndGet();
        }
      }
    } catch (Exception e) {
      errors.incrementAndGet(); // could not connect or close
    }
  }

  /** Counts what the consumers report into this run's figures. */
  private final class Counting implements MessagingSystem.Deliveries {
    @Override
    public void delivered(byte[] body) {
      long sentAt = ByteBuffer.wrap(body).getLong();
      endToEnd.recordValue(Math.max(1, micros() - sentAt));
    }

    @Override
    public void acknowledged(int count) {
      received.addAndGet(count);
    }

    @Override
    public void failed() {
      errors.incrementAndGet();
    }
  }

  private static long micros() {
    Instant now = Instant.now();
    return now.getEpochSecond() * 1_000_000 + now.getNano() / 1000;
  }

  private static void sleepNanos(long nanos) {
    try {
      TimeUnit.NANOSECONDS.sleep(nanos);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
