package io.sibus.engine.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.SQLException;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

class StoreErrorsTest {
  @Test
  void onlyTheAnswerOfACommittedOperationSaysItCommitted() {
    RuntimeException unread = StoreErrors.unreadAfterCommit(new IllegalStateException("a defect"));
    assertThat(StoreErrors.committed(unread)).isTrue();
    assertThat(StoreErrors.committed(new CompletionException(unread))).isTrue();

    assertThat(StoreErrors.committed(StoreErrors.unavailable())).isFalse();
    assertThat(StoreErrors.committed(new CompletionException(StoreErrors.notActive()))).isFalse();
    assertThat(StoreErrors.committed(StoreErrors.refused(new SQLException("refused")))).isFalse();
    assertThat(StoreErrors.committed(new IllegalStateException("SIBUS0211E"))).isFalse();
  }
}
