package io.sibus.cli.backup;

import com.fasterxml.jackson.databind.JsonNode;
import io.sibus.local.EngineClient;
import io.sibus.local.MemberSetClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Predicate;

/**
 * A bus run without Kubernetes: its configuration file, its engines' members (the URLs in that
 * file) and their data stores (one PostgreSQL database, a schema per engine).
 */
public final class StandaloneBus {
  private final Path configFile;
  private final String jdbcUrl;
  private final String user;
  private final String password;
  private final Map<String, String> schemas;
  private final String token;

  public StandaloneBus(
      Path configFile,
      String jdbcUrl,
      String user,
      String password,
      Map<String, String> schemas,
      String token) {
    this.configFile = configFile;
    this.jdbcUrl = jdbcUrl;
    this.user = user;
    this.password = password;
    this.schemas = schemas;
    this.token = token;
  }

  public byte[] config() throws IOException {
    return Files.readAllBytes(configFile);
  }

  public BusFile busFile() throws IOException {
    return BusFile.parse(config());
  }

  /** The schema of an engine's data store: as given, or the engine default. */
  public String schema(String engine) {
    return schemas.getOrDefault(engine, io.sibus.datastore.SchemaName.forEngine(engine).value());
  }

  public Connection connect() throws SQLException {
    Properties props = new Properties();
    if (user != null) {
      props.setProperty("user", user);
    }
    if (password != null) {
      props.setProperty("password", password);
    }
    return DriverManager.getConnection(jdbcUrl, props);
  }

  /** Writes the restored configuration; engines reload it by themselves. */
  public void writeConfig(byte[] content) throws IOException {
    Path temp = configFile.resolveSibling(configFile.getFileName() + ".restoring");
    Files.write(temp, content);
    Files.move(
        temp, configFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  /** The active member of {@code engine} answers {@code call} (other members forward to it). */
  public EngineClient.Reply callActive(String engine, List<String> urls, MemberSetClient.Call call)
      throws IOException {
    return new MemberSetClient(new ArrayList<>(urls), token).call(call, Duration.ofSeconds(30));
  }

  public EngineClient member(String url) {
    return new EngineClient(url, token);
  }

  /** Waits until the member's engine report satisfies {@code condition}; false on timeout. */
  public boolean await(String url, Predicate<JsonNode> condition, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      try {
        EngineClient.Reply reply = member(url).engine();
        if (reply.ok() && condition.test(reply.json())) {
          return true;
        }
      } catch (IOException notNow) {
        // the member may be restarting
      }
      sleep(200);
    }
    return false;
  }

  static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
