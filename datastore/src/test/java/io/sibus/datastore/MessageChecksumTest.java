package io.sibus.datastore;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class MessageChecksumTest {
  private final MessageRow row =
      MessageRow.create(
          7,
          "me1:abc:7",
          "orders",
          4,
          Reliability.ASSURED_PERSISTENT,
          "text/plain",
          null,
          "{}",
          "hello".getBytes(StandardCharsets.UTF_8),
          1_700_000_000_000L,
          0);

  @Test
  void aRowMatchesItsOwnChecksum() {
    assertThat(row.checksumValid()).isTrue();
  }

  @Test
  void anyChangedFieldBreaksIt() {
    assertThat(copyWithBody("hellp").checksumValid()).isFalse();
    assertThat(row.movedTo("other", "{}").withChecksum(row.checksum()).checksumValid()).isFalse();
  }

  @Test
  void aMoveRecomputesIt() {
    assertThat(row.movedTo("_SYSTEM.Exception.me1", "{\"r\":\"x\"}").checksumValid()).isTrue();
  }

  @Test
  void fieldsCannotShiftIntoEachOther() {
    MessageRow a = withIds("ab", "c");
    MessageRow b = withIds("a", "bc");
    assertThat(a.checksum()).isNotEqualTo(b.checksum());
  }

  private MessageRow copyWithBody(String body) {
    return new MessageRow(
        row.seq(),
        row.messageId(),
        row.destination(),
        row.priority(),
        row.reliability(),
        row.contentType(),
        row.correlationId(),
        row.propertiesJson(),
        body.getBytes(StandardCharsets.UTF_8),
        row.enqueuedAtMillis(),
        row.expiresAtMillis(),
        row.deliveryCount(),
        row.checksum());
  }

  private static MessageRow withIds(String messageId, String destination) {
    return MessageRow.create(
        1,
        messageId,
        destination,
        4,
        Reliability.ASSURED_PERSISTENT,
        null,
        null,
        "{}",
        new byte[0],
        0,
        0);
  }
}
