package io.sibus.k8s;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The hosts files that stand in for cluster DNS: a pod JVM started with {@code
 * -Djdk.net.hosts.file} resolves names from that file alone, so each file also names this machine
 * ({@code localhost} and its host name, which {@code InetAddress.getLocalHost()} looks up). Files
 * are replaced atomically, so that a JVM never reads half a file, and only when their content
 * changes.
 */
final class HostsFiles {
  private static final Logger LOG = LoggerFactory.getLogger(HostsFiles.class);

  private final String machine = machineLines();
  private final Map<Path, String> namespaces = new LinkedHashMap<>();
  private final Map<Path, String> written = new HashMap<>();

  /** Remembers {@code file} as the hosts file of {@code namespace}, and writes it now. */
  synchronized void register(String namespace, Path file, Map<String, String> hosts) {
    namespaces.put(file, namespace);
    write(file, hosts);
  }

  /** Rewrites every registered file whose content has changed. */
  synchronized void rewriteAll(Function<String, Map<String, String>> hostsForNamespace) {
    namespaces.forEach(
        (file, namespace) -> {
          String content = format(hostsForNamespace.apply(namespace));
          if (!content.equals(written.get(file))) {
            try {
              replace(file, content);
            } catch (UncheckedIOException e) {
              LOG.warn("cannot rewrite hosts file {}: {}", file, e.getMessage());
            }
          }
        });
  }

  /** Writes {@code hosts} to {@code file} in /etc/hosts format, replacing it atomically. */
  synchronized void write(Path file, Map<String, String> hosts) {
    replace(file, format(hosts));
  }

  private String format(Map<String, String> hosts) {
    StringBuilder text = new StringBuilder(machine);
    hosts.forEach((name, ip) -> text.append(ip).append(' ').append(name).append('\n'));
    return text.toString();
  }

  private void replace(Path file, String content) {
    try {
      Path directory = file.toAbsolutePath().getParent();
      Files.createDirectories(directory);
      Path temporary = Files.createTempFile(directory, "." + file.getFileName(), ".tmp");
      Files.writeString(temporary, content);
      Files.move(
          temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      written.put(file, content);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write hosts file " + file, e);
    }
  }

  private static String machineLines() {
    String lines = "127.0.0.1 localhost\n::1 localhost\n";
    try {
      String hostName = InetAddress.getLocalHost().getHostName();
      return hostName.equals("localhost") ? lines : lines + "127.0.0.1 " + hostName + "\n";
    } catch (IOException e) {
      return lines; // this machine's name does not resolve here either
    }
  }
}
