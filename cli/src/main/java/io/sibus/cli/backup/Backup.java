package io.sibus.cli.backup;

import com.fasterxml.jackson.databind.JsonNode;
import io.sibus.datastore.OwnerRecord;
import io.sibus.datastore.SchemaName;
import io.sibus.datastore.StoreBackup;
import io.sibus.datastore.StoreTables;
import io.sibus.local.EngineClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;

/**
 * Takes a backup of a whole bus, standalone or on Kubernetes ({@link BusSite}): configuration and
 * every data store at the same moment. Sends are paused bus-wide while the stores are read (unless
 * online), streams settle first, and the pause is always lifted, even when the backup fails.
 */
public final class Backup {
  private static final DateTimeFormatter STAMP =
      DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss-SSS").withZone(ZoneOffset.UTC);
  private final BusSite bus;
  private final Progress progress;

  public Backup(BusSite bus, Progress progress) {
    this.bus = bus;
    this.progress = progress;
  }

  public static List<String> steps() {
    return List.of(
        "Pause sends on every engine and let streams settle",
        "Copy the configuration and every data store",
        "Resume sends",
        "Write the manifest");
  }

  public Archive run(String busName, Path parent, boolean online, String version)
      throws IOException, SQLException {
    byte[] config = bus.config();
    BusFile file = BusFile.parse(config);
    if (file.bus() != null && !file.bus().equals(busName)) {
      throw new IllegalArgumentException(
          "the configuration file describes bus '" + file.bus() + "', not '" + busName + "'");
    }
    Instant now = Instant.now();
    Archive archive =
        new Archive(
            Files.createDirectories(
                parent.resolve("sibus-backup-" + busName + "-" + STAMP.format(now))));
    Manifest manifest = new Manifest();
    manifest.bus = busName;
    manifest.sibusVersion = version;
    manifest.takenAt = now.toString();
    manifest.mode = online ? "online" : "quiesced";
    manifest.configKind = bus.kind();
    progress.step(0);
    try {
      if (!online) {
        pause(file, manifest);
      } else {
        progress.detail("online backup: no pause (each store consistent in itself, the bus not)");
      }
      progress.stepDone();
      progress.step(1);
      copy(config, file, archive, manifest);
      progress.stepDone();
    } finally {
      progress.step(2);
      if (!online) {
        resume(file, manifest);
      }
      progress.stepDone();
    }
    progress.step(3);
    archive.write(manifest);
    progress.detail(
        "%s: %d engine(s), %d message(s)",
        archive.directory(), manifest.engines.size(), manifest.totalMessages());
    progress.stepDone();
    return archive;
  }

  /** Pauses sends on every engine and waits for the streams between them to settle. */
  private void pause(BusFile file, Manifest manifest) throws IOException {
    quiesce(file);
    manifest.streamsSettled = settle(file);
    progress.detail(
        "streams %s",
        manifest.streamsSettled
            ? "settled"
            : "did not settle within 15 s: messages in flight are in the sending engine's store");
  }

  /** The configuration files, then every engine's data store, into {@code archive}. */
  private void copy(byte[] config, BusFile file, Archive archive, Manifest manifest)
      throws IOException, SQLException {
    Files.createDirectories(archive.file("config"));
    Files.write(archive.file("config/bus.yaml"), config);
    manifest.configFiles.put("bus.yaml", Archive.sha256(config));
    for (Map.Entry<String, byte[]> extra : bus.extraConfig().entrySet()) {
      Files.write(archive.file("config/" + extra.getKey()), extra.getValue());
      manifest.configFiles.put(extra.getKey(), Archive.sha256(extra.getValue()));
    }
    for (String engine : file.engines().keySet()) {
      manifest.engines.add(export(engine, archive));
    }
  }

  private void quiesce(BusFile file) throws IOException {
    for (Map.Entry<String, List<String>> e : file.engines().entrySet()) {
      EngineClient.Reply reply =
          bus.callActive(
              e.getKey(),
              e.getValue(),
              m -> m.post("/api/v1/engine/quiesce?timeoutMs=60000", null));
      if (!reply.ok()) {
        throw new IOException("engine " + e.getKey() + " could not pause sends: " + reply);
      }
    }
  }

  /** Waits until no engine holds messages for another (they reached their queues). */
  private boolean settle(BusFile file) throws IOException {
    long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
    while (System.nanoTime() < deadline) {
      boolean settled = true;
      for (Map.Entry<String, List<String>> e : file.engines().entrySet()) {
        JsonNode engine = bus.callActive(e.getKey(), e.getValue(), EngineClient::engine).json();
        settled &= engine != null && engine.path("pendingToOtherEngines").asLong(0) == 0;
      }
      if (settled) {
        return true;
      }
      StandaloneBus.sleep(100);
    }
    return false;
  }

  private void resume(BusFile file, Manifest manifest) {
    for (Map.Entry<String, List<String>> e : file.engines().entrySet()) {
      try {
        JsonNode waited =
            bus.callActive(e.getKey(), e.getValue(), m -> m.post("/api/v1/engine/resume", null))
                .json();
        manifest.sendsWaited += waited.path("sendsWaited").asLong();
        manifest.maxSendWaitMs =
            Math.max(manifest.maxSendWaitMs, waited.path("maxSendWaitMs").asLong());
      } catch (IOException ex) {
        progress.detail(
            "engine %s could not be told to resume (%s); its pause lifts by itself after 60 s",
            e.getKey(), ex.getMessage());
      }
    }
    progress.detail(
        "sends waited: %d, longest wait %d ms", manifest.sendsWaited, manifest.maxSendWaitMs);
  }

  private Manifest.EngineEntry export(String engine, Archive archive)
      throws IOException, SQLException {
    String schema = bus.schema(engine);
    Path dir = Files.createDirectories(archive.file("engines/" + engine));
    StoreBackup.Export export;
    try (Connection c = bus.connect(engine)) {
      export =
          new StoreBackup(new SchemaName(schema))
              .export(c, table -> Files.newOutputStream(dir.resolve(table.name() + ".copy")));
    }
    Manifest.EngineEntry entry = new Manifest.EngineEntry();
    entry.name = engine;
    entry.schema = schema;
    OwnerRecord owner = export.owner();
    if (owner != null) {
      entry.uuid = String.valueOf(owner.engineUuid());
      entry.epoch = owner.epoch();
      entry.incarnation = String.valueOf(owner.incarnation());
      entry.schemaVersion = owner.schemaVersion();
    } else {
      entry.schemaVersion = StoreTables.SCHEMA_VERSION;
    }
    entry.messages.putAll(export.messagesByDestination());
    entry.heldForOtherEngines.putAll(export.heldByTarget());
    for (var table : StoreTables.all()) {
      Path f = dir.resolve(table.name() + ".copy");
      entry.tables.put(
          table.name(),
          new Manifest.TableFile(
              archive.directory().relativize(f).toString(),
              export.rows().get(table.name()),
              Archive.sha256(f)));
    }
    progress.detail(
        "engine %s (schema %s): %d message(s), %d held for other engines",
        engine,
        schema,
        entry.messages.values().stream().mapToLong(Long::longValue).sum(),
        entry.heldForOtherEngines.values().stream().mapToLong(Long::longValue).sum());
    return entry;
  }
}
