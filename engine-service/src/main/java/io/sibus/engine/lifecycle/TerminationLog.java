package io.sibus.engine.lifecycle;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.sibus.datastore.ErrorClass;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * The termination message of a member that exits: JSON in the file Kubernetes reads into the
 * container's last state, so the operator can tell a local error from a global one.
 */
final class TerminationLog {
  private static final Logger LOG = Logger.getLogger(TerminationLog.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private TerminationLog() {}

  static void write(String path, ErrorClass errorClass, String code, String message) {
    Map<String, String> content = new LinkedHashMap<>();
    content.put("class", errorClass.name());
    content.put("code", code);
    content.put("message", message);
    try {
      Files.writeString(Path.of(path), JSON.writeValueAsString(content));
    } catch (IOException | RuntimeException e) {
      LOG.warnf("The termination message could not be written to %s: %s", path, e.getMessage());
    }
  }
}
