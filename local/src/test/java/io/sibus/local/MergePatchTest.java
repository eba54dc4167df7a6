package io.sibus.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** RFC 7386's own examples (its appendix A): target, patch, result. */
class MergePatchTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "{\"a\":\"b\"}                 | {\"a\":\"c\"}                     | {\"a\":\"c\"}",
        "{\"a\":\"b\"}                 | {\"b\":\"c\"}                     | {\"a\":\"b\",\"b\":\"c\"}",
        "{\"a\":\"b\"}                 | {\"a\":null}                      | {}",
        "{\"a\":\"b\",\"b\":\"c\"}     | {\"a\":null}                      | {\"b\":\"c\"}",
        "{\"a\":[\"b\"]}               | {\"a\":\"c\"}                     | {\"a\":\"c\"}",
        "{\"a\":\"c\"}                 | {\"a\":[\"b\"]}                   | {\"a\":[\"b\"]}",
        "{\"a\":{\"b\":\"c\"}}         | {\"a\":{\"b\":\"d\",\"c\":null}}  | {\"a\":{\"b\":\"d\"}}",
        "{\"a\":[{\"b\":\"c\"}]}       | {\"a\":[1]}                       | {\"a\":[1]}",
        "[\"a\",\"b\"]                 | [\"c\",\"d\"]                     | [\"c\",\"d\"]",
        "{\"a\":\"b\"}                 | [\"c\"]                           | [\"c\"]",
        "{\"a\":\"foo\"}               | null                              | null",
        "{\"a\":\"foo\"}               | \"bar\"                           | \"bar\"",
        "{\"e\":null}                  | {\"a\":1}                         | {\"e\":null,\"a\":1}",
        "[1,2]                         | {\"a\":\"b\",\"c\":null}          | {\"a\":\"b\"}",
        "{}                            | {\"a\":{\"bb\":{\"ccc\":null}}}   | {\"a\":{\"bb\":{}}}",
        "{\"l\":[1,2,3]}               | {\"l\":[4]}                       | {\"l\":[4]}"
      })
  void patchesAsTheRfcSays(String target, String patch, String result) throws Exception {
    JsonNode original = JSON.readTree(target);
    assertThat(MergePatch.apply(original, JSON.readTree(patch))).isEqualTo(JSON.readTree(result));
    assertThat(original).isEqualTo(JSON.readTree(target));
  }
}
