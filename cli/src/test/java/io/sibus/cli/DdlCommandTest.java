package io.sibus.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.sibus.datastore.SchemaName;
import io.sibus.datastore.StoreTables;
import org.junit.jupiter.api.Test;

class DdlCommandTest {
  @Test
  void printsTheCreateStatementsOfAValidSchema() {
    Run run = Run.of("ddl", "--schema", "sibus_me1");

    assertThat(run.exitCode()).isZero();
    assertThat(run.err()).isEmpty();
    assertThat(run.out())
        .isEqualTo(StoreTables.script(StoreTables.createStatements(new SchemaName("sibus_me1"))))
        .contains("CREATE SCHEMA IF NOT EXISTS \"sibus_me1\"")
        .contains("CREATE TABLE");
  }

  @Test
  void refusesAnInjectionAttemptAsBadUsageAndPrintsNoSql() {
    Run run = Run.of("ddl", "--schema", "Robert'); DROP TABLE x;--");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.out()).isEmpty();
    assertThat(run.err().lines()).hasSize(1);
    assertThat(run.err()).contains("--schema").contains("not a safe SQL identifier");
  }

  @Test
  void refusesAReservedSchema() {
    Run run = Run.of("ddl", "--schema", "pg_catalog", "--drop");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.out()).isEmpty();
    assertThat(run.err()).contains("reserved");
  }

  @Test
  void dropPrintsDropStatementsAndNeverCascade() {
    Run run = Run.of("ddl", "--schema", "sibus_me1", "--drop");

    assertThat(run.exitCode()).isZero();
    assertThat(run.out())
        .isEqualTo(StoreTables.script(StoreTables.dropStatements(new SchemaName("sibus_me1"))))
        .contains("DROP TABLE IF EXISTS \"sibus_me1\".")
        .doesNotContainIgnoringCase("CASCADE")
        .doesNotContain("CREATE");
  }

  @Test
  void withoutSchemaIsBadUsage() {
    Run run = Run.of("ddl");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.out()).isEmpty();
    assertThat(run.err()).contains("--schema");
  }
}
