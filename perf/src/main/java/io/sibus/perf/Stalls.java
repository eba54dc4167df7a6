package io.sibus.perf;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * When sends were slow: the worst send latency per 100 ms of wall-clock time, so that a rare stall
 * in the percentiles can be put beside the engine's and PostgreSQL's logs of the same moment.
 */
final class Stalls {
  private static final long WINDOW_MS = 100;
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("HH:mm:ss.SSS").withZone(ZoneOffset.UTC);

  /** Sends that started in {@code [from, from + length)} took up to {@code worstMicros}. */
  record Stall(long fromMillis, long lengthMillis, long worstMicros) {
    @Override
    public String toString() {
      return TIME.format(Instant.ofEpochMilli(fromMillis))
          + " UTC +"
          + lengthMillis
          + " ms: worst send "
          + worstMicros / 1000
          + " ms";
    }
  }

  private final long thresholdMicros;
  private final Map<Long, Long> worstPerWindow = new ConcurrentHashMap<>();

  Stalls(long thresholdMicros) {
    this.thresholdMicros = thresholdMicros;
  }

  /** A send that started at {@code startMillis} (wall clock) and took {@code micros}. */
  void record(long startMillis, long micros) {
    if (micros >= thresholdMicros) {
      worstPerWindow.merge(startMillis / WINDOW_MS, micros, Math::max);
    }
  }

  /** The slow windows, adjacent ones merged, in time order. */
  List<Stall> list() {
    List<Stall> stalls = new ArrayList<>();
    long from = -1;
    long last = -1;
    long worst = 0;
    for (Map.Entry<Long, Long> e : new TreeMap<>(worstPerWindow).entrySet()) {
      if (from >= 0 && e.getKey() != last + 1) {
        stalls.add(new Stall(from * WINDOW_MS, (last - from + 1) * WINDOW_MS, worst));
        from = -1;
      }
      if (from < 0) {
        from = e.getKey();
        worst = 0;
      }
      last = e.getKey();
      worst = Math.max(worst, e.getValue());
    }
    if (from >= 0) {
      stalls.add(new Stall(from * WINDOW_MS, (last - from + 1) * WINDOW_MS, worst));
    }
    return stalls;
  }
}
