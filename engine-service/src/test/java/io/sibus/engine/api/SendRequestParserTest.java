package io.sibus.engine.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sibus.datastore.Reliability;
import io.sibus.engine.error.ApiException;
import io.sibus.engine.messaging.SendRequest;
import jakarta.ws.rs.core.MultivaluedHashMap;
import jakarta.ws.rs.core.MultivaluedMap;
import org.junit.jupiter.api.Test;

class SendRequestParserTest {
  @Test
  void headersBecomeTheSend() {
    MultivaluedMap<String, String> h = new MultivaluedHashMap<>();
    h.add("Content-Type", "application/json");
    h.add("Sibus-Reliability", "reliable_persistent");
    h.add("Sibus-Priority", "7");
    h.add("Sibus-Time-To-Live", "60000");
    h.add("Sibus-Correlation-Id", "c-1");
    h.add("Idempotency-Key", "k-1");
    h.add("Sibus-Property-region", "eu");
    h.add("sibus-property-Tier", "gold");
    SendRequest r = SendRequestParser.parse(new byte[] {1, 2}, h, 100);
    assertThat(r.reliability()).isEqualTo(Reliability.RELIABLE_PERSISTENT);
    assertThat(r.priority()).isEqualTo(7);
    assertThat(r.timeToLiveMillis()).isEqualTo(60_000);
    assertThat(r.idempotencyKey()).isEqualTo("k-1");
    assertThat(r.properties()).containsEntry("region", "eu").containsEntry("Tier", "gold");
  }

  @Test
  void defaultsApplyWhenHeadersAreAbsent() {
    SendRequest r = SendRequestParser.parse(null, new MultivaluedHashMap<>(), 100);
    assertThat(r.body()).isEmpty();
    assertThat(r.reliability()).isNull(); // the destination's default
    assertThat(r.priority()).isEqualTo(SendRequest.DEFAULT_PRIORITY);
    assertThat(r.contentType()).isEqualTo("application/octet-stream");
  }

  @Test
  void badHeadersAreNamed() {
    assertRefused("Sibus-Priority", "-1");
    assertRefused("Sibus-Priority", "ten");
    assertRefused("Sibus-Time-To-Live", "0");
    assertRefused("Sibus-Reliability", "USUALLY");
    assertRefused("Idempotency-Key", "x".repeat(201));
    assertRefused("Sibus-Correlation-Id", "line\nbreak");
  }

  @Test
  void anOversizedBodyIs413() {
    assertThatThrownBy(
            () -> SendRequestParser.parse(new byte[101], new MultivaluedHashMap<>(), 100))
        .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status()).isEqualTo(413));
  }

  private static void assertRefused(String header, String value) {
    MultivaluedMap<String, String> h = new MultivaluedHashMap<>();
    h.add(header, value);
    assertThatThrownBy(() -> SendRequestParser.parse(new byte[0], h, 100))
        .isInstanceOfSatisfying(
            ApiException.class,
            e -> {
              assertThat(e.status()).isEqualTo(400);
              assertThat(e.details()).containsEntry("field", header);
            });
  }
}
