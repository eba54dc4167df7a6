package io.sibus.local;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A client of an engine reached through its members (standalone, without a Service in front): it
 * sends to the member it believes active and, when that member is gone or answers that it is not
 * active, tries the one named in the answer or the next, until a deadline.
 */
public final class MemberSetClient {
  /** One API call against one member. */
  @FunctionalInterface
  public interface Call {
    EngineClient.Reply on(EngineClient member) throws IOException;
  }

  private final List<String> urls;
  private final String token;
  private volatile String current;

  /**
   * @param memberUrls the members' URLs; the list is read at every retry, so a caller may replace
   *     members in it (use a thread-safe list such as {@link CopyOnWriteArrayList})
   */
  public MemberSetClient(List<String> memberUrls, String token) {
    this.urls = memberUrls;
    this.token = token;
    this.current = memberUrls.get(0);
  }

  /**
   * Runs {@code call} against the active member; retries on connection failures and on 503 answers
   * until {@code patience} has passed, then returns the last answer (or throws the last connection
   * failure).
   */
  public EngineClient.Reply call(Call call, Duration patience) throws IOException {
    long deadline = System.nanoTime() + patience.toNanos();
    IOException lastFailure = null;
    EngineClient.Reply lastReply = null;
    int index = Math.max(0, urls.indexOf(current));
    while (true) {
      String url = current;
      try {
        EngineClient.Reply reply = call.on(new EngineClient(url, token));
        if (reply.status() != 503) {
          return reply;
        }
        lastReply = reply;
        String active = reply.text("activeUrl");
        if (active != null && !active.equals(url) && System.nanoTime() < deadline) {
          current = active;
          pause(5);
          continue;
        }
      } catch (IOException e) {
        lastFailure = e;
      }
      if (System.nanoTime() > deadline) {
        if (lastReply != null) {
          return lastReply;
        }
        throw lastFailure;
      }
      List<String> known = List.copyOf(urls);
      index = (index + 1) % known.size();
      current = known.get(index);
      pause(20);
    }
  }

  public String currentUrl() {
    return current;
  }

  private static void pause(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
