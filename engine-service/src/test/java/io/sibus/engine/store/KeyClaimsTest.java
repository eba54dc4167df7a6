package io.sibus.engine.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.sibus.datastore.IdempotencyClaim;
import io.sibus.datastore.MessageRow;
import io.sibus.datastore.Reliability;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which sends of a batch claim their idempotency key, and which repeat an earlier send. */
class KeyClaimsTest {
  @Test
  void theFirstSendOfAKeyInABatchClaimsItAndTheLaterOnesRepeatIt() {
    InsertOp first = send("m1", "orders", "k");
    InsertOp again = send("m2", "orders", "k");
    InsertOp otherDestination = send("m3", "audit", "k");
    InsertOp withoutKey = send("m4", "orders", null);
    KeyClaims keys = new KeyClaims(List.of(first, again, otherDestination, withoutKey));

    keys.found(Map.of());

    assertThat(keys.claims())
        .containsExactly(
            new IdempotencyClaim("orders", "k", "m1"), new IdempotencyClaim("audit", "k", "m3"));
    assertThat(keys.repeated(first)).isNull();
    assertThat(keys.repeated(again)).isEqualTo("m1");
    assertThat(keys.repeated(otherDestination)).isNull();
    assertThat(keys.repeated(withoutKey)).isNull();
  }

  @Test
  void aKeyStoredByAnEarlierBatchMakesEverySendOfItARepeat() {
    InsertOp first = send("m1", "orders", "k");
    InsertOp again = send("m2", "orders", "k");
    KeyClaims keys = new KeyClaims(List.of(first, again));

    keys.found(Map.of(keys.claims().get(0), "m0"));

    assertThat(keys.repeated(first)).isEqualTo("m0");
    assertThat(keys.repeated(again)).isEqualTo("m0");
  }

  private static InsertOp send(String messageId, String destination, String key) {
    MessageRow row =
        MessageRow.create(
            1,
            messageId,
            destination,
            4,
            Reliability.ASSURED_PERSISTENT,
            "text/plain",
            null,
            "{}",
            new byte[] {1},
            0,
            0);
    return new InsertOp(row, key);
  }
}
