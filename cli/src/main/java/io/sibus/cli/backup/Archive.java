package io.sibus.cli.backup;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.sibus.cli.backup.Manifest.EngineEntry;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A backup on disk: a directory with {@code manifest.json}, {@code config/} and one directory per
 * engine of exported tables. Verified before anything is restored from it: every file present and
 * matching its SHA-256, the format known, the bus the one asked for.
 */
public final class Archive {
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private final Path directory;

  public Archive(Path directory) {
    this.directory = directory;
  }

  public Path directory() {
    return directory;
  }

  public Path file(String relative) {
    return directory.resolve(relative);
  }

  public void write(Manifest manifest) throws IOException {
    JSON.writeValue(directory.resolve(Manifest.FILE).toFile(), manifest);
  }

  public Manifest manifest() throws IOException {
    return JSON.readValue(directory.resolve(Manifest.FILE).toFile(), Manifest.class);
  }

  /** The problems that make this archive unfit to restore {@code bus} from; empty when sound. */
  public List<String> verify(String bus) {
    List<String> problems = new ArrayList<>();
    Manifest manifest;
    try {
      manifest = manifest();
    } catch (IOException e) {
      problems.add("its manifest cannot be read (" + e.getMessage() + ")");
      return problems;
    }
    if (!Manifest.FORMAT.equals(manifest.format)) {
      problems.add("its format is '" + manifest.format + "', this sibus reads " + Manifest.FORMAT);
    }
    if (!bus.equals(manifest.bus)) {
      problems.add("it is a backup of bus '" + manifest.bus + "', not of bus '" + bus + "'");
    }
    manifest.configFiles.forEach((name, sum) -> check("config/" + name, sum, problems));
    for (EngineEntry engine : manifest.engines) {
      for (Map.Entry<String, Manifest.TableFile> table : engine.tables.entrySet()) {
        check(table.getValue().file, table.getValue().sha256, problems);
      }
    }
    return problems;
  }

  private void check(String relative, String expected, List<String> problems) {
    Path path = directory.resolve(relative);
    if (!Files.isRegularFile(path)) {
      problems.add("the file " + relative + " is missing");
      return;
    }
    try {
      String actual = sha256(path);
      if (!actual.equals(expected)) {
        problems.add("the file " + relative + " does not match its checksum");
      }
    } catch (IOException e) {
      problems.add("the file " + relative + " cannot be read (" + e.getMessage() + ")");
    }
  }

  public static String sha256(Path path) throws IOException {
    try (InputStream in = new DigestInputStream(Files.newInputStream(path), digest())) {
      in.transferTo(java.io.OutputStream.nullOutputStream());
      return HexFormat.of().formatHex(((DigestInputStream) in).getMessageDigest().digest());
    }
  }

  public static String sha256(byte[] bytes) {
    return HexFormat.of().formatHex(digest().digest(bytes));
  }

  private static MessageDigest digest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The backups of {@code bus} (every bus when null) under {@code parent}, newest last. */
  public static List<Archive> list(Path parent, String bus) throws IOException {
    if (Files.isRegularFile(parent.resolve(Manifest.FILE))) {
      return List.of(new Archive(parent));
    }
    List<Archive> found = new ArrayList<>();
    if (!Files.isDirectory(parent)) {
      return found;
    }
    try (Stream<Path> children = Files.list(parent)) {
      for (Path child : children.sorted().toList()) {
        if (Files.isRegularFile(child.resolve(Manifest.FILE))) {
          Archive archive = new Archive(child);
          try {
            if (bus == null || bus.equals(archive.manifest().bus)) {
              found.add(archive);
            }
          } catch (IOException unreadable) {
            found.add(archive); // listed, and refused with its reason when used
          }
        }
      }
    }
    return found;
  }
}
