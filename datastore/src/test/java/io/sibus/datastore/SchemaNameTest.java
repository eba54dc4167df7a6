package io.sibus.datastore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SchemaNameTest {
  @ParameterizedTest
  @ValueSource(strings = {"sibus_me1", "_x", "a", "me_2_b"})
  void safeIdentifiersAreAccepted(String name) {
    assertThat(SchemaName.problem(name)).isNull();
    assertThat(new SchemaName(name).quoted()).isEqualTo('"' + name + '"');
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "Orders",
        "1abc",
        "a-b",
        "a b",
        "x\"; DROP TABLE y; --",
        "robert'); drop table students;--",
        "pg_catalog",
        "information_schema",
        "a234567890123456789012345678901234567890123456789012345678901234"
      })
  void anythingElseIsRefusedWithTheReason(String name) {
    assertThat(SchemaName.problem(name)).isNotNull();
    assertThatThrownBy(() -> new SchemaName(name)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void theDefaultSchemaIsDerivedFromTheEngineName() {
    assertThat(SchemaName.forEngine("me1").value()).isEqualTo("sibus_me1");
    assertThat(SchemaName.forEngine("Orders-Engine.2").value()).isEqualTo("sibus_orders_engine_2");
    assertThat(SchemaName.forEngine("x".repeat(100)).value()).hasSize(63);
  }
}
