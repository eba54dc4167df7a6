package io.sibus.k8s;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The images this machine can run, by repository (any tag): sibus's engine and operator as the jars
 * of this repository's build, and PostgreSQL as the embedded one.
 */
public final class LocalImages {
  public static final String ENGINE = "ghcr.io/sibus/engine";
  public static final String OPERATOR = "ghcr.io/sibus/operator";

  private final Map<String, LocalImage> byRepository = new LinkedHashMap<>();

  private LocalImages() {}

  /** The images built in the repository at {@code home} (the engine and operator jars). */
  public static LocalImages fromBuild(Path home) {
    LocalImages images = new LocalImages();
    images.byRepository.put(
        ENGINE,
        new JarImage(
            engineJar(home),
            // The engine image sets where its termination message goes (DESIGN.md, exit codes).
            Optional.of("SIBUS_ENGINE_TERMINATION_LOG")));
    images.byRepository.put(OPERATOR, new JarImage(operatorJar(home), Optional.empty()));
    PostgresImage postgres = new PostgresImage();
    images.byRepository.put("postgres", postgres);
    images.byRepository.put("docker.io/library/postgres", postgres);
    return images;
  }

  public static Path engineJar(Path home) {
    return home.resolve("engine-service/target/quarkus-app/quarkus-run.jar");
  }

  public static Path operatorJar(Path home) {
    return home.resolve("operator/target/quarkus-app/quarkus-run.jar");
  }

  LocalImage find(String image) {
    LocalImage found = byRepository.get(repository(image));
    if (found == null) {
      throw new PodStartException(
          "ErrImagePull",
          "image " + image + " cannot run on the local cluster; known: " + byRepository.keySet());
    }
    return found;
  }

  /** The image reference without its tag or digest. */
  static String repository(String image) {
    String name = image;
    int digest = name.indexOf('@');
    if (digest >= 0) {
      name = name.substring(0, digest);
    }
    int slash = name.lastIndexOf('/');
    int colon = name.lastIndexOf(':');
    return colon > slash ? name.substring(0, colon) : name;
  }
}
