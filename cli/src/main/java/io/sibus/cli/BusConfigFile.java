package io.sibus.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The bus config file (CONTRACT.md, "The bus config file") of the sample bus that {@code sibus up}
 * runs: one engine with its members' URLs and one queue on it. Names are fixed and safe, so the
 * YAML is written as text rather than through a YAML library.
 */
record BusConfigFile(String bus, String engine, List<String> memberUrls, String queue) {

  String yaml() {
    return """
        bus: %s
        engines:
          - name: %s
            urls: [%s]
        destinations:
          - name: %s
            type: Queue
            localizedOn: %s
            defaultReliability: ASSURED_PERSISTENT
            maxRedeliveries: 5
        """
        .formatted(bus, engine, String.join(", ", memberUrls), queue, engine);
  }

  Path writeTo(Path file) {
    try {
      Files.createDirectories(file.getParent());
      Files.writeString(file, yaml());
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException("could not write the bus config file " + file, e);
    }
  }
}
