package io.sibus.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Every manifest under deploy/ parses strictly, and every kustomization lists what exists. */
class ManifestsTest {
  private static final Path DEPLOY = Path.of(".");

  @Test
  void everyManifestIsKnownToTheTypedModels() throws IOException {
    List<String> problems = new ArrayList<>();
    int documents = 0;
    for (Path file : manifests()) {
      for (JsonNode doc : StrictManifests.documents(Files.readString(file))) {
        documents++;
        StrictManifests.problems(doc).forEach(p -> problems.add(file + ": " + p));
      }
    }
    assertThat(problems).isEmpty();
    assertThat(documents).isGreaterThan(15);
  }

  @Test
  void aMisspeltFieldIsFound() throws IOException {
    String misspelt =
        """
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: x}
        spec:
          replicass: 2
          template:
            spec:
              containers: [{name: c, image: i, imagePullPolicyy: Always}]
        """;
    List<String> problems = StrictManifests.problems(StrictManifests.documents(misspelt).get(0));
    assertThat(problems).anySatisfy(p -> assertThat(p).contains("replicass"));
    assertThat(problems).anySatisfy(p -> assertThat(p).contains("imagePullPolicyy"));
    String badEngine =
        "apiVersion: sibus.io/v1alpha1\nkind: MessagingEngine\nmetadata: {name: x}\nspec: {membrs: 2}\n";
    assertThat(StrictManifests.problems(StrictManifests.documents(badEngine).get(0)))
        .anySatisfy(p -> assertThat(p).contains("membrs"));
  }

  @Test
  void kustomizationsListOnlyWhatExists() throws IOException {
    for (Path file : kustomizations()) {
      JsonNode k = StrictManifests.documents(Files.readString(file)).get(0);
      for (JsonNode resource : k.path("resources")) {
        Path target = file.getParent().resolve(resource.asText()).normalize();
        assertThat(
                Files.isRegularFile(target)
                    || Files.isRegularFile(target.resolve("kustomization.yaml")))
            .as(file + " lists " + resource.asText())
            .isTrue();
      }
    }
  }

  private static List<Path> manifests() throws IOException {
    return yamlFiles().stream()
        .filter(p -> !p.getFileName().toString().equals("kustomization.yaml"))
        .toList();
  }

  private static List<Path> kustomizations() throws IOException {
    return yamlFiles().stream()
        .filter(p -> p.getFileName().toString().equals("kustomization.yaml"))
        .toList();
  }

  private static List<Path> yamlFiles() throws IOException {
    try (Stream<Path> paths = Files.walk(DEPLOY)) {
      return paths
          .filter(
              p -> !p.startsWith(DEPLOY.resolve("target")) && !p.startsWith(DEPLOY.resolve("src")))
          .filter(p -> p.toString().endsWith(".yaml"))
          .sorted()
          .toList();
    }
  }
}
