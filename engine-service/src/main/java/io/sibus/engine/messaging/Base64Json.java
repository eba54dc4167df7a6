package io.sibus.engine.messaging;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.json.UTF8JsonGenerator;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import java.io.IOException;
import java.util.Base64;

/**
 * Writes bytes as a JSON string in base64, as Jackson itself writes them (the standard alphabet,
 * padded, no line breaks), but encoded by the JDK: the JIT compiles its encoder to vector
 * instructions, where Jackson's loop takes a few bytes at a time. Under load, Jackson's loop over
 * the delivered bodies was an eighth of the event loops' time.
 */
public final class Base64Json extends StdSerializer<byte[]> {
  public Base64Json() {
    super(byte[].class);
  }

  @Override
  public void serialize(byte[] value, JsonGenerator json, SerializerProvider provider)
      throws IOException {
    if (json instanceof UTF8JsonGenerator) {
      byte[] text = Base64.getEncoder().encode(value);
      json.writeRawUTF8String(text, 0, text.length); // quoted; base64 needs no escaping
    } else { // Jackson's own way, wherever the JSON is not written as bytes
      json.writeBinary(provider.getConfig().getBase64Variant(), value, 0, value.length);
    }
  }
}
