package io.sibus.crds;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The committed CRDs are what the model classes generate, and they teach the API: every field of
 * ours has a description. To update the committed files after changing the model, run the build
 * with {@code -Dsibus.crds.write=true}.
 */
class CrdFilesTest {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  @Test
  void theCommittedCrdsAreTheGeneratedOnes() throws Exception {
    for (String name : CrdFiles.NAMES) {
      String generated = CrdFiles.read(CrdFiles.generated(name));
      if (Boolean.getBoolean("sibus.crds.write")) {
        Files.writeString(CrdFiles.committed(name), generated);
      }
      assertThat(Files.exists(CrdFiles.committed(name)))
          .as(CrdFiles.committed(name) + " exists (build with -Dsibus.crds.write=true)")
          .isTrue();
      assertThat(CrdFiles.read(CrdFiles.committed(name)))
          .as(
              "deploy/crds/%s.yaml is not what the model generates; rebuild the crds module with"
                  + " -Dsibus.crds.write=true and commit the result",
              name)
          .isEqualTo(generated);
    }
  }

  @Test
  void everyFieldOfOursIsDescribed() throws Exception {
    List<String> undescribed = new ArrayList<>();
    for (String name : CrdFiles.NAMES) {
      JsonNode schema =
          YAML.readTree(CrdFiles.read(CrdFiles.generated(name)))
              .at("/spec/versions/0/schema/openAPIV3Schema");
      walk(name, schema.get("properties").get("spec"), "spec", undescribed);
      walk(name, schema.get("properties").get("status"), "status", undescribed);
    }
    assertThat(undescribed).isEmpty();
  }

  @Test
  void namesAndColumnsAreThoseOfTheContract() throws Exception {
    JsonNode me = YAML.readTree(CrdFiles.read(CrdFiles.generated("messagingengines.sibus.io")));
    assertThat(me.at("/spec/names/shortNames/0").asText()).isEqualTo("me");
    assertThat(me.at("/spec/names/categories/0").asText()).isEqualTo("sibus");
    assertThat(me.at("/spec/versions/0/subresources/status").isObject()).isTrue();
    assertThat(me.at("/spec/versions/0/additionalPrinterColumns").findValuesAsText("name"))
        .contains("Phase", "Active", "Members", "Age");
    JsonNode bus = YAML.readTree(CrdFiles.read(CrdFiles.generated("buses.sibus.io")));
    assertThat(bus.at("/spec/names/plural").asText()).isEqualTo("buses");
    assertThat(bus.at("/spec/names/shortNames/0").asText()).isEqualTo("sib");
    JsonNode dest = YAML.readTree(CrdFiles.read(CrdFiles.generated("destinations.sibus.io")));
    assertThat(dest.at("/spec/names/shortNames/0").asText()).isEqualTo("dest");
  }

  /** Kubernetes' own types (resources, conditions) come without descriptions; ours may not. */
  private static void walk(String crd, JsonNode node, String path, List<String> undescribed) {
    if (path.endsWith(".resources") || path.endsWith(".conditions")) {
      return;
    }
    JsonNode properties =
        node.has("items") ? node.get("items").get("properties") : node.get("properties");
    if (properties == null) {
      return;
    }
    for (Map.Entry<String, JsonNode> field :
        (Iterable<Map.Entry<String, JsonNode>>) properties::fields) {
      String fieldPath = path + "." + field.getKey();
      if (!field.getValue().hasNonNull("description")) {
        undescribed.add(crd + " " + fieldPath);
      }
      walk(crd, field.getValue(), fieldPath, undescribed);
    }
  }
}
