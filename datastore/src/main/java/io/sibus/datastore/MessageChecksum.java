package io.sibus.datastore;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32C;

/** CRC-32C over the immutable fields of a message, each length-prefixed so fields cannot shift. */
public final class MessageChecksum {
  private MessageChecksum() {}

  public static long of(MessageRow row) {
    CRC32C crc = new CRC32C();
    text(crc, row.messageId());
    text(crc, row.destination());
    number(crc, row.priority());
    number(crc, row.reliability().code());
    text(crc, row.contentType());
    text(crc, row.correlationId());
    text(crc, row.propertiesJson());
    bytes(crc, row.body());
    number(crc, row.enqueuedAtMillis());
    number(crc, row.expiresAtMillis());
    return crc.getValue();
  }

  private static void text(CRC32C crc, String value) {
    bytes(crc, value == null ? null : value.getBytes(StandardCharsets.UTF_8));
  }

  private static void bytes(CRC32C crc, byte[] value) {
    if (value == null) {
      number(crc, -1);
      return;
    }
    number(crc, value.length);
    crc.update(value);
  }

  private static void number(CRC32C crc, long value) {
    crc.update(ByteBuffer.allocate(Long.BYTES).putLong(value).array());
  }
}
