package io.sibus.local;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Counts every message the way Jepsen's total-queue checker does: attempted sends, acknowledged
 * sends, and consumed messages (received and acknowledged by the consumer). A message is
 * <em>lost</em> when its send was acknowledged but it was never consumed, <em>duplicated</em> when
 * it was consumed more than once, <em>unexpected</em> when consumed but never attempted, and
 * <em>recovered</em> when its send failed or timed out (outcome unknown) yet it was consumed.
 */
public final class DeliveryLedger {
  private final Set<String> attempted = ConcurrentHashMap.newKeySet();
  private final Set<String> acknowledged = ConcurrentHashMap.newKeySet();
  private final Map<String, AtomicInteger> consumed = new ConcurrentHashMap<>();

  public void attempted(String key) {
    attempted.add(key);
  }

  public void acknowledged(String key) {
    acknowledged.add(key);
  }

  public void consumed(String key) {
    consumed.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
  }

  public int acknowledgedCount() {
    return acknowledged.size();
  }

  /** The counts so far. */
  public Report report() {
    List<String> lost = new ArrayList<>();
    for (String key : acknowledged) {
      if (!consumed.containsKey(key)) {
        lost.add(key);
      }
    }
    Map<String, Integer> duplicated = new TreeMap<>();
    List<String> unexpected = new ArrayList<>();
    int recovered = 0;
    int consumedOnce = 0;
    for (Map.Entry<String, AtomicInteger> e : consumed.entrySet()) {
      consumedOnce++;
      if (e.getValue().get() > 1) {
        duplicated.put(e.getKey(), e.getValue().get());
      }
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
        consumedOnce,
        lost,
        duplicated,
        unexpected,
        recovered);
  }

  /** The outcome of a run. */
  public record Report(
      int attempted,
      int acknowledged,
      int consumed,
      List<String> lost,
      Map<String, Integer> duplicated,
      List<String> unexpected,
      int recovered) {

    @Override
    public String toString() {
      return String.format(
          "attempted=%d acknowledged=%d consumed=%d lost=%d duplicated=%d unexpected=%d"
              + " recovered=%d%s%s",
          attempted,
          acknowledged,
          consumed,
          lost.size(),
          duplicated.size(),
          unexpected.size(),
          recovered,
          lost.isEmpty() ? "" : " lost=" + lost.subList(0, Math.min(10, lost.size())),
          duplicated.isEmpty() ? "" : " duplicated=" + duplicated);
    }
  }
}
