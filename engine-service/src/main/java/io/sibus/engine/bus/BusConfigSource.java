package io.sibus.engine.bus;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.runtime.configuration.ConfigurationException;
import io.sibus.engine.config.SibusConfig;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.jboss.logging.Logger;

/**
 * The bus topology from {@code sibus.bus.config-file}, reloaded when the file's content changes.
 * The file is polled (not watched): a Kubernetes ConfigMap volume swaps a symbolic link, which file
 * watchers miss. An invalid new version is refused and the previous one kept.
 */
@ApplicationScoped
public class BusConfigSource {
  private static final Logger LOG = Logger.getLogger(BusConfigSource.class);

  private final SibusConfig config;
  private final List<Consumer<BusTopology>> listeners = new CopyOnWriteArrayList<>();
  private volatile BusTopology current;
  private volatile String lastText;
  private String failedText; // the poller's thread only (and the tests', with no poller running)
  private ScheduledExecutorService poller;

  public BusConfigSource(SibusConfig config) {
    this.config = config;
  }

  /** Reads the file once, at creation: an unreadable or invalid file stops the member's start. */
  @PostConstruct
  void load() {
    current = BusTopology.empty(config.bus().name());
    if (config.bus().configFile().isEmpty()) {
      return;
    }
    Path file = Path.of(config.bus().configFile().get());
    String text = read(file);
    if (text == null) {
      throw new ConfigurationException(
          "The bus configuration file " + file + " (sibus.bus.config-file) cannot be read.");
    }
    try {
      current = BusTopologyParser.parse(text);
      lastText = text;
    } catch (IllegalArgumentException e) {
      throw new ConfigurationException(
          "The bus configuration file " + file + " is invalid: " + e.getMessage());
    }
  }

  void onStart(@Observes StartupEvent event) {
    if (config.bus().configFile().isEmpty()) {
      return;
    }
    Path file = Path.of(config.bus().configFile().get());
    poller =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "sibus-config-poller");
              t.setDaemon(true);
              return t;
            });
    poller.scheduleWithFixedDelay(() -> poll(file), 1, 1, TimeUnit.SECONDS);
  }

  void onStop(@Observes ShutdownEvent event) {
    if (poller != null) {
      poller.shutdownNow();
    }
  }

  public BusTopology current() {
    return current;
  }

  /** Called with each new valid topology (on the poller thread). */
  public void onChange(Consumer<BusTopology> listener) {
    listeners.add(listener);
  }

  /**
   * One poll. Whatever fails here is logged and the poller goes on: an exception or {@link Error}
   * leaving this method would end the scheduled polling without a word, and no later change of the
   * file would ever apply. An Error is retried too, rather than stopping the member as an Error in
   * the active member's work does: this thread holds nothing of the store's, each attempt applies
   * the whole file again, and the member serves on meanwhile (a standby as well as the active).
   */
  void poll(Path file) {
    String text = null;
    try {
      text = read(file);
      if (text != null && !text.equals(lastText)) {
        apply(file, text);
      }
    } catch (RuntimeException | Error e) {
      // A version that failed partway may be partly in force: whatever the file holds at the next
      // poll is applied, this version again or the one before it.
      lastText = null;
      if (text == null || !text.equals(failedText)) { // once per version, not at every poll
        failedText = text;
        LOG.errorf(
            e,
            "SIBUS0301E Applying the new bus configuration from %s failed; it is applied again"
                + " every second until it does. User action: if the change does not take effect,"
                + " restart the member and report this log.",
            file);
      }
    }
  }

  private void apply(Path file, String text) {
    BusTopology next;
    try {
      next = BusTopologyParser.parse(text);
    } catch (IllegalArgumentException e) {
      lastText = text; // refused once; the file must change before it is read again
      failedText = null;
      LOG.errorf(
          "SIBUS0301E The bus configuration file %s is invalid (%s); the previous configuration"
              + " stays in force. User action: correct the file.",
          file, e.getMessage());
      return;
    }
    current = next;
    for (Consumer<BusTopology> listener : listeners) {
      listener.accept(next);
    }
    // Only once every listener has it: each listener brings its state to the whole topology, so a
    // version whose application failed can be applied again.
    lastText = text;
    failedText = null;
    LOG.infof("SIBUS0300I The bus configuration file %s changed and was reloaded.", file);
  }

  private static String read(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return null;
    }
  }
}
