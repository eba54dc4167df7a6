package io.sibus.engine.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.SQLException;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

class StoreErrorsTest {
  @Test
  void onlyTheAnswerOfAResultUnreadAfterItsCommitIsTakenForOne() {
    RuntimeException unread = StoreErrors.unreadAfterCommit(new IllegalStateException("a defect"));
    assertThat(StoreErrors.isUnreadAfterCommit(unread)).isTrue();
    assertThat(StoreErrors.isUnreadAfterCommit(new CompletionException(unread))).isTrue();

    assertThat(StoreErrors.isUnreadAfterCommit(StoreErrors.unavailable())).isFalse();
    assertThat(StoreErrors.isUnreadAfterCommit(new CompletionException(StoreErrors.notActive())))
        .isFalse();
    assertThat(StoreErrors.isUnreadAfterCommit(StoreErrors.refused(new SQLException("refused"))))
        .isFalse();
    assertThat(StoreErrors.isUnreadAfterCommit(new IllegalStateException("SIBUS0211E"))).isFalse();
  }
}
