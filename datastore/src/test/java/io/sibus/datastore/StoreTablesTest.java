package io.sibus.datastore;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class StoreTablesTest {
  private final SchemaName schema = new SchemaName("sibus_me1");

  @Test
  void theCreateScriptCreatesTheSchemaThenEveryTableQualified() {
    List<String> statements = StoreTables.createStatements(schema);
    assertThat(statements.get(0)).isEqualTo("CREATE SCHEMA IF NOT EXISTS \"sibus_me1\"");
    for (Table table : StoreTables.all()) {
      assertThat(statements)
          .anyMatch(s -> s.startsWith("CREATE TABLE \"sibus_me1\".\"" + table.name() + "\" ("));
    }
    String script = StoreTables.script(statements);
    assertThat(script).contains("seq bigint PRIMARY KEY").contains("checksum bigint NOT NULL");
    assertThat(script.trim()).endsWith(";");
  }

  @Test
  void theDropScriptNeverCascadesAndKeepsThePublicSchema() {
    assertThat(StoreTables.dropStatements(schema))
        .noneMatch(s -> s.toUpperCase().contains("CASCADE"))
        .last()
        .isEqualTo("DROP SCHEMA IF EXISTS \"sibus_me1\"");
    assertThat(StoreTables.dropStatements(new SchemaName("public")))
        .noneMatch(s -> s.contains("DROP SCHEMA"));
  }
}
