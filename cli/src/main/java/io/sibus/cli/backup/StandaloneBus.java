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
public final class StandaloneBus implements BusSite {
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

  @Override
  public String kind() {
    return "file";
  }

  @Override
  public Map<String, byte[]> extraConfig() {
    return Map.of();
  }

  @Override
  public byte[] config() throws IOException {
    return Files.readAllBytes(configFile);
  }

  /** The schema of an engine's data store: as given, or the engine default. */
  @Override
  public String schema(String engine) {
    return schemas.getOrDefault(engine, io.sibus.datastore.SchemaName.forEngine(engine).value());
  }

  /** Every engine's store is in the one database of the bus. */
  @Override
  public Connection connect(String engine) throws SQLException {
    Properties props = new Properties();
    if (user != null) {
      props.setProperty("user", user);
    }
    if (password != null) {
      props.setProperty("password", password);
    }
    return DriverManager.getConnection(jdbcUrl, props);
  }

  /** Writes the restored configuration file; engines reload it by themselves. */
  @Override
  public List<String> configurationChanges(Archive archive) {
    return List.of(); // the configuration is bus.yaml alone
  }

  @Override
  public void restoreConfiguration(Archive archive, Progress progress) throws IOException {
    byte[] content = Files.readAllBytes(archive.file("config/bus.yaml"));
    Path temp = configFile.resolveSibling(configFile.getFileName() + ".restoring");
    Files.write(temp, content);
    Files.move(
        temp, configFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  /** The active member of {@code engine} answers {@code call} (other members forward to it). */
  @Override
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

  @Override
  public void stopAll(BusFile running, Progress progress) {
    for (Map.Entry<String, List<String>> e : running.engines().entrySet()) {
      for (String url : e.getValue()) {
        try {
          member(url).stop();
        } catch (IOException unreachable) {
          progress.detail("member %s of %s does not answer: treated as stopped", url, e.getKey());
        }
      }
      for (String url : e.getValue()) {
        if (!await(url, r -> "STOPPED".equals(r.path("state").asText()), Duration.ofSeconds(60))) {
          try {
            member(url).engine();
            throw new IllegalStateException(
                "member " + url + " of engine " + e.getKey() + " did not stop within 60 s");
          } catch (IOException gone) {
            // no longer running: stopped indeed
          }
        }
      }
      progress.detail("engine %s stopped", e.getKey());
    }
  }

  /**
   * Recovery first when asked (each engine waits until it stopped), then the restart-after-restore
   * start of every engine at once (a flush needs the other engines running to be told), then the
   * other members start normally once their engine's flush completed.
   */
  @Override
  public void startAfterRestore(BusFile restored, boolean recovery, Progress progress) {
    Map<String, List<String>> engines = restored.engines();
    if (recovery) {
      engines.forEach(
          (engine, urls) -> {
            start(urls.get(0), "RECOVERY");
            expect(
                urls.get(0),
                r ->
                    "STOPPED".equals(r.path("state").asText())
                        && "RECOVERY".equals(r.path("startMode").asText()),
                engine + " recovery start");
            progress.detail("engine %s: recovery start completed", engine);
          });
    }
    engines.forEach((engine, urls) -> start(urls.get(0), "RESTART_AFTER_RESTORE"));
    engines.forEach(
        (engine, urls) -> {
          expect(
              urls.get(0),
              r ->
                  "ACTIVE".equals(r.path("state").asText())
                      && "COMPLETED".equals(r.path("flush").asText()),
              engine + " flush of its delivery streams (SIBUS0783I)");
          progress.detail(
              "engine %s started, flush of all delivery streams completed (SIBUS0783I)", engine);
        });
    engines.forEach(
        (engine, urls) -> urls.subList(1, urls.size()).forEach(url -> start(url, "NORMAL")));
  }

  private void start(String url, String mode) {
    try {
      EngineClient.Reply reply = member(url).start(mode);
      if (!reply.ok() && reply.status() != 409) {
        throw new IllegalStateException("member " + url + " refused the start: " + reply);
      }
    } catch (IOException e) {
      throw new IllegalStateException("member " + url + " does not answer: " + e.getMessage());
    }
  }

  private void expect(String url, Predicate<JsonNode> condition, String what) {
    if (!await(url, condition, Duration.ofMinutes(5))) {
      throw new IllegalStateException(
          what + " did not complete within 5 minutes (member " + url + ")");
    }
  }

  static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
