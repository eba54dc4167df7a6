package io.sibus.cli;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Path;

/** Damage done to a backup archive by the tests that prove a damaged one is refused. */
public final class ArchiveDamage {
  private ArchiveDamage() {}

  /** Inverts the byte in the middle of {@code file}; a second call puts it back. */
  public static void flipByte(Path file) throws IOException {
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
      raf.seek(raf.length() / 2);
      int value = raf.read();
      raf.seek(raf.length() / 2);
      raf.write(value ^ 0xFF);
    }
  }
}
