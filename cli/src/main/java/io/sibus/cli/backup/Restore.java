package io.sibus.cli.backup;

import io.sibus.datastore.SchemaName;
import io.sibus.datastore.StoreBackup;
import java.io.IOException;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * The seeds' runbook as one command, for a standalone bus or one on Kubernetes ({@link BusSite}):
 * verify the archive; stop every engine; restore each data store (one transaction each, verified);
 * restore the configuration taken with it, saying what differs; start every engine in
 * restart-after-restore mode (after a recovery start when asked) and wait for each flush to
 * complete (SIBUS0783I). Every step is safe to run again, so an interrupted restore is finished by
 * running the same command again.
 */
public final class Restore {
  private final BusSite bus;
  private final Progress progress;
  private final List<String> report = new ArrayList<>();

  public Restore(BusSite bus, Progress progress) {
    this.bus = bus;
    this.progress = progress;
  }

  public static List<String> steps() {
    return List.of(
        "Verify the archive",
        "Stop every engine",
        "Restore every data store",
        "Restore the configuration",
        "Start every engine in restart-after-restore mode",
        "Report");
  }

  /** What a restore cannot bring back, and what it kept, for the final report. */
  public List<String> report() {
    return report;
  }

  public void run(Archive archive, String busName, boolean recovery, boolean dryRun)
      throws IOException, SQLException {
    progress.step(0);
    Manifest manifest = verified(archive, busName);
    BusFile restored = BusFile.parse(Files.readAllBytes(archive.file("config/bus.yaml")));
    BusFile running = bus.busFile();
    progress.detail(
        "backup of bus %s taken %s (%s), %d engine(s), %d message(s)",
        manifest.bus,
        manifest.takenAt,
        manifest.mode,
        manifest.engines.size(),
        manifest.totalMessages());
    progress.stepDone();

    progress.step(1);
    if (dryRun) {
      progress.detail("(dry run: engines keep running)");
    } else {
      bus.stopAll(running, progress);
    }
    progress.stepDone();

    progress.step(2);
    for (Manifest.EngineEntry engine : manifest.engines) {
      restoreStore(archive, engine, restored, dryRun);
    }
    progress.stepDone();

    progress.step(3);
    restoreConfiguration(archive, restored, running, dryRun);
    progress.stepDone();

    progress.step(4);
    if (dryRun) {
      progress.detail("(dry run: nothing started)");
    } else {
      bus.startAfterRestore(restored, recovery, progress);
    }
    progress.stepDone();

    progress.step(5);
    report.add(
        "sends acknowledged after the backup ("
            + manifest.takenAt
            + ") and not consumed are not brought back, except on destinations the restored configuration lacks (kept on the exception destination)");
    report.forEach(r -> progress.detail("%s", r));
    progress.stepDone();
  }

  /** The archive's manifest, once the archive is found whole and of bus {@code busName}. */
  private Manifest verified(Archive archive, String busName) throws IOException {
    List<String> problems = archive.verify(busName);
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(
          "the archive "
              + archive.directory()
              + " is refused, nothing was changed: "
              + String.join("; ", problems));
    }
    return archive.manifest();
  }

  /** The bus's configuration as the backup has it, and how it differs from the running one. */
  private void restoreConfiguration(
      Archive archive, BusFile restored, BusFile running, boolean dryRun) throws IOException {
    List<String> differences = restored.differencesFrom(running);
    differences.forEach(d -> progress.detail("%s", d));
    if (differences.isEmpty()) {
      progress.detail("the configuration is the one running");
    }
    if (dryRun) {
      bus.configurationChanges(archive).forEach(c -> progress.detail("%s", c));
    } else {
      bus.restoreConfiguration(archive, progress);
    }
  }

  private void restoreStore(
      Archive archive, Manifest.EngineEntry engine, BusFile restored, boolean dryRun)
      throws IOException, SQLException {
    String schema = engine.schema != null ? engine.schema : bus.schema(engine.name);
    StoreBackup.Result result;
    try (Connection c = bus.connect(engine.name)) {
      result =
          new StoreBackup(new SchemaName(schema))
              .restore(
                  c,
                  table -> Files.newInputStream(archive.file(engine.tables.get(table.name()).file)),
                  restored.destinationsOf(engine.name),
                  "_SYSTEM.Exception." + engine.name,
                  dryRun);
    }
    long messages = result.rows().getOrDefault("sibus_message", 0L);
    long expected = engine.tables.get("sibus_message").rows;
    if (messages != expected) {
      throw new IllegalStateException(
          "engine "
              + engine.name
              + ": "
              + messages
              + " messages restored, the backup has "
              + expected);
    }
    reportStore(engine.name, schema, messages, result, dryRun);
  }

  /** What the store restore of {@code engine} did, and what it could not bring back. */
  private void reportStore(
      String engine, String schema, long messages, StoreBackup.Result result, boolean dryRun) {
    progress.detail(
        "engine %s (schema %s): %d message(s) %s%s",
        engine,
        schema,
        messages,
        dryRun ? "would be restored" : "restored and verified",
        result.salvaged() == 0
            ? ""
            : ", "
                + result.salvaged()
                + " kept on the exception destination (their destination is not in the restored configuration)");
    if (!result.currentStoreReadable()) {
      progress.detail(
          "the current store of %s could not be read: nothing could be kept from it", engine);
    }
    result
        .notBroughtBack()
        .forEach(
            (destination, count) ->
                report.add(
                    engine
                        + ": "
                        + count
                        + " message(s) on "
                        + destination
                        + " sent after the backup are not brought back"));
  }
}
