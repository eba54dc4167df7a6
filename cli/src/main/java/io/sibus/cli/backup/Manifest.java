package io.sibus.cli.backup;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a backup holds: the bus, when and how it was taken, every engine's data store (identity,
 * epoch, incarnation, schema version, messages per destination) and a checksum of every file.
 */
public final class Manifest {
  public static final String FORMAT = "sibus-backup/1";
  public static final String FILE = "manifest.json";

  public String format = FORMAT;
  public String bus;
  public String sibusVersion;
  public String takenAt;

  /** {@code quiesced}: sends paused bus-wide, streams settled; {@code online}: each store alone. */
  public String mode;

  public long sendsWaited;
  public long maxSendWaitMs;
  public boolean streamsSettled;

  /** Where the configuration came from: {@code file} (standalone) or {@code kubernetes}. */
  public String configKind;

  public Map<String, String> configFiles = new LinkedHashMap<>();
  public List<EngineEntry> engines = new ArrayList<>();

  /** One engine's data store in the backup. */
  public static final class EngineEntry {
    public String name;
    public String uuid;
    public String schema;
    public long epoch;
    public String incarnation;
    public int schemaVersion;
    public Map<String, Long> messages = new LinkedHashMap<>();
    public Map<String, Long> heldForOtherEngines = new LinkedHashMap<>();
    public Map<String, TableFile> tables = new LinkedHashMap<>();
  }

  /** One table's rows, exported with COPY in binary format. */
  public static final class TableFile {
    public String file;
    public long rows;
    public String sha256;

    public TableFile() {}

    public TableFile(String file, long rows, String sha256) {
      this.file = file;
      this.rows = rows;
      this.sha256 = sha256;
    }
  }

  public EngineEntry engine(String name) {
    return engines.stream().filter(e -> e.name.equals(name)).findFirst().orElse(null);
  }

  public long totalMessages() {
    return engines.stream()
        .flatMap(e -> e.messages.values().stream())
        .mapToLong(Long::longValue)
        .sum();
  }
}
