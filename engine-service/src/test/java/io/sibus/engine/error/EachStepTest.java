package io.sibus.engine.error;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class EachStepTest {
  private final List<String> ran = new ArrayList<>();

  @Test
  void everyStepRunsWhateverTheOthersFailWith() {
    IllegalStateException first = new IllegalStateException("first");
    OutOfMemoryError second = new OutOfMemoryError("second");
    Throwable failure =
        EachStep.run(
            () -> {
              ran.add("a");
              throw first;
            },
            () -> {
              ran.add("b");
              throw second;
            },
            () -> ran.add("c"));
    assertThat(ran).containsExactly("a", "b", "c");
    assertThat(failure).isSameAs(first);
    assertThat(failure.getSuppressed()).containsExactly(second);
  }

  @Test
  void runAllThrowsTheFirstFailureAfterTheLastStep() {
    assertThatThrownBy(
            () ->
                EachStep.runAll(
                    () -> {
                      throw new StackOverflowError("an Error");
                    },
                    () -> ran.add("after")))
        .isInstanceOf(StackOverflowError.class);
    assertThat(ran).containsExactly("after");
    assertThat(EachStep.run(() -> ran.add("fine"))).isNull();
  }
}
