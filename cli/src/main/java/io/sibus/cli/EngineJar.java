package io.sibus.cli;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the runnable engine is: the Quarkus jar the engine-service module builds, found from the
 * repository root that the {@code ./sibus} launcher passes as {@code -Dsibus.home}.
 */
final class EngineJar {
  static final String RELATIVE_PATH = "engine-service/target/quarkus-app/quarkus-run.jar";

  private EngineJar() {}

  /** The jar, or a failure that says how to build it. */
  static Path locate() {
    String explicit = System.getProperty("sibus.engine.jar");
    if (explicit != null && !explicit.isBlank()) {
      return requireFile(Path.of(explicit).toAbsolutePath(), Path.of(""));
    }
    Path home = Path.of(System.getProperty("sibus.home", "")).toAbsolutePath();
    return requireFile(home.resolve(RELATIVE_PATH), home);
  }

  private static Path requireFile(Path jar, Path home) {
    if (!Files.isRegularFile(jar)) {
      throw new CommandFailure(
          "the engine jar "
              + jar
              + " is missing: build it with 'cd "
              + home.toAbsolutePath()
              + " && ./mvnw -q -B -DskipTests -pl engine-service -am package'"
              + " (./sibus up does this itself when the jar is missing)");
    }
    return jar;
  }
}
