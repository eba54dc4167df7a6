package io.sibus.local;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Counts every message the way Jepsen's total-queue checker does. Producers record each
 * <em>attempted</em> send and each <em>acknowledged</em> one (the engine answered 201); consumers
 * record each <em>received</em> delivery and each <em>consumed</em> one (their acknowledgement was
 * answered 204). A message is <em>lost</em> when its send was acknowledged but it was never
 * received, <em>duplicated</em> when it was consumed more than once, <em>unexpected</em> when
 * received but never attempted, and <em>recovered</em> when received although its send's outcome
 * was unknown to the producer.
 */
public final class DeliveryLedger {
  private final Set<String> attempted = ConcurrentHashMap.newKeySet();
  private final Set<String> acknowledged = ConcurrentHashMap.newKeySet();
  private final Map<String, AtomicInteger> received = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> consumed = new ConcurrentHashMap<>();

  public void attempted(String key) {
    attempted.add(key);
  }

  public void acknowledged(String key) {
    acknowledged.add(key);
  }

  public void received(String key) {
    received.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
  }

  public void consumed(String key) {
    consumed.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
  }

  public int acknowledgedCount() {
    return acknowledged.size();
  }

  /** True once every acknowledged send has been received. */
  public boolean allReceived() {
    return received.keySet().containsAll(acknowledged);
  }

  /** The counts so far. */
  public Report report() {
    List<String> lost = new ArrayList<>();
    for (String key : acknowledged) {
      if (!received.containsKey(key)) {
        lost.add(key);
      }
    }
    Map<String, Integer> duplicated = new TreeMap<>();
    consumed.forEach(
        (key, count) -> {
          if (count.get() > 1) {
            duplicated.put(key, count.get());
          }
        });
    List<String> unexpected = new ArrayList<>();
    int recovered = 0;
    int redeliveries = 0;
    for (Map.Entry<String, AtomicInteger> e : received.entrySet()) {
      redeliveries += e.getValue().get() - 1;
      if (!attempted.contains(e.getKey())) {
        unexpected.add(e.getKey());
      } else if (!acknowledged.contains(e.getKey())) {
        recovered++;
      }
    }
    lost.sort(null);
    unexpected.sort(null);
    return new Report(
        attempted.size(),
        acknowledged.size(),
        received.size(),
        consumed.size(),
        lost,
        duplicated,
        unexpected,
        recovered,
        redeliveries);
  }

  /** The outcome of a run. */
  public record Report(
      int attempted,
      int acknowledged,
      int received,
      int consumed,
      List<String> lost,
      Map<String, Integer> duplicated,
      List<String> unexpected,
      int recovered,
      int redeliveries) {

    @Override
    public String toString() {
      return String.format(
          "attempted=%d acknowledged=%d received=%d consumed=%d lost=%d duplicated=%d"
              + " unexpected=%d recovered=%d redeliveries=%d%s%s",
          attempted,
          acknowledged,
          received,
          consumed,
          lost.size(),
          duplicated.size(),
          unexpected.size(),
          recovered,
          redeliveries,
          lost.isEmpty() ? "" : " lost=" + lost.subList(0, Math.min(10, lost.size())),
          duplicated.isEmpty() ? "" : " duplicated=" + duplicated);
    }
  }
}
