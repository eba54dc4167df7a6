package io.sibus.engine.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** A delivered body is written as Jackson writes any byte array, only faster. */
class Base64JsonTest {
  private final ObjectMapper json = new ObjectMapper();

  @Test
  void aBodyIsWrittenAsJacksonWritesBytes() throws Exception {
    Random random = new Random(7);
    for (int size : new int[] {0, 1, 2, 3, 4, 5, 57, 58, 1024, 70_000}) {
      byte[] body = new byte[size];
      random.nextBytes(body);
      String expected = "\"body\":" + json.writeValueAsString(body) + ",";
      Delivery delivery =
          new Delivery(
              "id",
              "receipt",
              body,
              "text/plain",
              "ASSURED_PERSISTENT",
              4,
              0,
              Map.of(),
              "t",
              null,
              "orders");
      // Into bytes, as the API answers, and into characters, the other way Jackson writes.
      assertThat(new String(json.writeValueAsBytes(delivery), StandardCharsets.UTF_8))
          .as("%d bytes", size)
          .contains(expected);
      assertThat(json.writeValueAsString(delivery)).as("%d bytes", size).contains(expected);
    }
  }
}
