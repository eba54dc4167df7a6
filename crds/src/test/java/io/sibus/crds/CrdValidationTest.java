package io.sibus.crds;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The CRDs' schemas and CEL rules against valid and invalid resources: what stands between a user's
 * typo and a broken engine, since the test API server validates nothing.
 */
class CrdValidationTest {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private static final String ENGINE =
      """
      apiVersion: sibus.io/v1alpha1
      kind: MessagingEngine
      metadata: {name: me1}
      spec:
        bus: demo
        members: 2
        dataStore:
          jdbcUrl: jdbc:postgresql://postgres:5432/sibus
          credentialsSecret: pg-credentials
          schema: sibus_me1
      """;

  @Test
  void theSamplesAreValid() throws Exception {
    assertThat(validate("messagingengines.sibus.io", ENGINE, null)).isEmpty();
    assertThat(
            validate(
                "buses.sibus.io",
                "apiVersion: sibus.io/v1alpha1\nkind: Bus\nmetadata: {name: demo}\nspec: {dedupWindow: 12h}\n",
                null))
        .isEmpty();
    assertThat(
            validate(
                "destinations.sibus.io",
                """
                apiVersion: sibus.io/v1alpha1
                kind: Destination
                metadata: {name: orders}
                spec: {bus: demo, localizedOn: me2, maxRedeliveries: 3, maxDepth: 10000}
                """,
                null))
        .isEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "members: 0                                   | spec.members: must be at least 1",
        "members: 6                                   | spec.members: must be at most 5",
        "members: two                                 | spec.members: must be a integer",
        "initialState: Paused                         | spec.initialState: 'Paused' is not one of",
        "bus: Demo_Bus                                | spec.bus: 'Demo_Bus' does not match",
        "membrs: 2                                    | spec.membrs: unknown field",
        "failover: {leaseDurationSeconds: 5}          | renewDeadlineSeconds must be less than leaseDurationSeconds",
        "failover: {renewDeadlineSeconds: 2, retryPeriodSeconds: 2} | retryPeriodSeconds must be less than renewDeadlineSeconds",
      })
  void badEngineSpecsAreRefused(String change, String expected) throws Exception {
    String yaml = ENGINE + "  " + change.trim() + "\n";
    if (change.startsWith("bus:")) {
      yaml = ENGINE.replace("bus: demo", change.trim());
    }
    assertThat(validate("messagingengines.sibus.io", yaml, null))
        .anySatisfy(error -> assertThat(error).contains(expected.trim()));
  }

  @Test
  void dataStoreMistakesAreRefused() throws Exception {
    assertThat(
            validate(
                "messagingengines.sibus.io",
                ENGINE.replace("schema: sibus_me1", "schema: Orders; DROP"),
                null))
        .anySatisfy(e -> assertThat(e).contains("spec.dataStore.schema"));
    assertThat(
            validate(
                "messagingengines.sibus.io",
                ENGINE.replace("jdbc:postgresql://postgres:5432/sibus", "postgres://x"),
                null))
        .anySatisfy(e -> assertThat(e).contains("spec.dataStore.jdbcUrl"));
    assertThat(
            validate(
                "messagingengines.sibus.io",
                ENGINE.replace("    jdbcUrl: jdbc:postgresql://postgres:5432/sibus\n", ""),
                null))
        .anySatisfy(e -> assertThat(e).contains("spec.dataStore.jdbcUrl: is required"));
    assertThat(validate("messagingengines.sibus.io", ENGINE + "    onDelete: Delete\n", null))
        .anySatisfy(e -> assertThat(e).contains("spec.dataStore.onDelete"));
  }

  @Test
  void busAndSchemaCannotChangeButOtherFieldsCan() throws Exception {
    String moved = ENGINE.replace("bus: demo", "bus: other");
    assertThat(validate("messagingengines.sibus.io", moved, ENGINE))
        .anySatisfy(e -> assertThat(e).contains("bus is immutable"));
    String otherSchema = ENGINE.replace("schema: sibus_me1", "schema: sibus_elsewhere");
    assertThat(validate("messagingengines.sibus.io", otherSchema, ENGINE))
        .anySatisfy(e -> assertThat(e).contains("dataStore.schema is immutable"));
    String scaled = ENGINE.replace("members: 2", "members: 3");
    assertThat(validate("messagingengines.sibus.io", scaled, ENGINE)).isEmpty();
  }

  @Test
  void badDestinationsAreRefused() throws Exception {
    String base =
        "apiVersion: sibus.io/v1alpha1\nkind: Destination\nmetadata: {name: q}\nspec:\n  bus: demo\n";
    assertThat(validate("destinations.sibus.io", base, null))
        .anySatisfy(e -> assertThat(e).contains("spec.localizedOn: is required"));
    assertThat(
            validate(
                "destinations.sibus.io",
                base + "  localizedOn: me1\n  defaultReliability: SOMETIMES\n",
                null))
        .anySatisfy(e -> assertThat(e).contains("spec.defaultReliability"));
    assertThat(
            validate(
                "destinations.sibus.io",
                base + "  localizedOn: me1\n  maxRedeliveries: -1\n",
                null))
        .anySatisfy(e -> assertThat(e).contains("spec.maxRedeliveries: must be at least 0"));
    assertThat(
            validate("destinations.sibus.io", base + "  localizedOn: me1\n  type: Topic\n", null))
        .anySatisfy(e -> assertThat(e).contains("spec.type"));
  }

  @Test
  void defaultsAreTheContractsDefaults() throws Exception {
    JsonNode crd = YAML.readTree(CrdFiles.read(CrdFiles.generated("messagingengines.sibus.io")));
    JsonNode spec = crd.at("/spec/versions/0/schema/openAPIV3Schema/properties/spec/properties");
    assertThat(spec.at("/members/default").asInt()).isEqualTo(2);
    assertThat(spec.at("/initialState/default").asText()).isEqualTo("Started");
    assertThat(spec.at("/dataStore/properties/onDelete/default").asText()).isEqualTo("Retain");
    assertThat(spec.at("/dataStore/properties/startupTimeout/default").asText()).isEqualTo("15m");
    assertThat(spec.at("/dataStore/properties/createTables/default").asBoolean()).isTrue();
  }

  private static List<String> validate(String crd, String yaml, String oldYaml) throws Exception {
    CrdValidator validator =
        new CrdValidator(YAML.readTree(CrdFiles.read(CrdFiles.generated(crd))));
    return validator.validate(YAML.readTree(yaml), oldYaml == null ? null : YAML.readTree(oldYaml));
  }
}
