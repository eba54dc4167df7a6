package io.sibus.engine.api;

import io.quarkus.runtime.configuration.ConfigurationException;
import io.sibus.engine.config.SibusConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Optional;

/** The API's bearer token, from {@code sibus.security.token} or {@code token-file}; may be none. */
@ApplicationScoped
public class ApiToken {
  private final byte[] token;

  public ApiToken(SibusConfig config) {
    Optional<String> value = config.security().token();
    if (value.isEmpty() && config.security().tokenFile().isPresent()) {
      Path file = Path.of(config.security().tokenFile().get());
      try {
        value = Optional.of(Files.readString(file, StandardCharsets.UTF_8).trim());
      } catch (IOException e) {
        throw new ConfigurationException(
            "sibus.security.token-file " + file + " cannot be read: " + e.getMessage());
      }
    }
    this.token =
        value.filter(t -> !t.isBlank()).map(t -> t.getBytes(StandardCharsets.UTF_8)).orElse(null);
  }

  public boolean required() {
    return token != null;
  }

  /** Compares in constant time. */
  public boolean matches(String given) {
    return token != null
        && given != null
        && MessageDigest.isEqual(given.getBytes(StandardCharsets.UTF_8), token);
  }
}
