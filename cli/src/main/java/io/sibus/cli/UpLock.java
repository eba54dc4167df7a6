package io.sibus.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * One {@code sibus up} per work directory: two would share the bus config file, and each would take
 * the other's PostgreSQL for a leftover. The operating system releases the lock when the process
 * ends, however it ends, so a killed run never blocks the next one.
 */
final class UpLock {
  /** Held here because an unreachable channel may be closed by the garbage collector. */
  private static FileChannel held;

  private UpLock() {}

  /** Takes the lock for the life of this process, or fails naming the holder. */
  static synchronized void acquire(Path work) {
    Path file = work.resolve("up.lock");
    try {
      Files.createDirectories(work);
      FileChannel channel =
          FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      if (channel.tryLock() == null) {
        channel.close();
        throw new CommandFailure(
            "another 'sibus up' is running with the work directory "
                + work
                + " (process "
                + holder(file)
                + "); stop it first");
      }
      channel.truncate(0);
      channel.write(
          ByteBuffer.wrap(
              Long.toString(ProcessHandle.current().pid()).getBytes(StandardCharsets.UTF_8)));
      held = channel; // stays open on purpose: closing it would release the lock
    } catch (IOException e) {
      throw new UncheckedIOException("could not lock " + file, e);
    }
  }

  private static String holder(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8).trim();
    } catch (IOException e) {
      return "unknown";
    }
  }
}
