package io.sibus.datastore;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class MessageInsertTest {
  private static final int MIB = 1 << 20;

  @Test
  void aBatchIsOneStatementUntilItsBodiesPassTheLimit() {
    assertThat(rowsPerStatement(rows(100, 1024))).containsExactly(100);
    assertThat(rowsPerStatement(rows(3, 3 * MIB))).containsExactly(2, 1);
    assertThat(rowsPerStatement(rows(4, 4 * MIB))).containsExactly(2, 2);
  }

  @Test
  void aMessageLargerThanTheLimitIsAStatementOfItsOwn() {
    assertThat(rowsPerStatement(rows(3, 9 * MIB))).containsExactly(1, 1, 1);
    assertThat(rowsPerStatement(List.of())).isEmpty();
  }

  private static List<Integer> rowsPerStatement(List<MessageRow> rows) {
    return MessageInsert.of("INSERT", rows).stream().map(MessageInsert::rows).toList();
  }

  private static List<MessageRow> rows(int count, int bodyBytes) {
    return IntStream.range(0, count)
        .mapToObj(
            i ->
                MessageRow.create(
                    i,
                    "id-" + i,
                    "q",
                    4,
                    Reliability.ASSURED_PERSISTENT,
                    null,
                    null,
                    "{}",
                    new byte[bodyBytes],
                    0,
                    0))
        .toList();
  }
}
