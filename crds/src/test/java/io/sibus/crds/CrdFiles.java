package io.sibus.crds;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The CRDs the build generates and the copies committed under deploy/crds/. */
final class CrdFiles {
  static final List<String> NAMES =
      List.of("buses.sibus.io", "messagingengines.sibus.io", "destinations.sibus.io");

  private CrdFiles() {}

  static Path generated(String name) {
    return Path.of("target", "classes", "META-INF", "fabric8", name + "-v1.yml");
  }

  static Path committed(String name) {
    return Path.of("..", "deploy", "crds", name + ".yaml");
  }

  static String read(Path path) {
    try {
      return Files.readString(path);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
