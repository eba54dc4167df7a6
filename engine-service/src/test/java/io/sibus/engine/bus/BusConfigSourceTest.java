package io.sibus.engine.bus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import io.quarkus.runtime.configuration.DurationConverter;
import io.sibus.engine.config.SibusConfig;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BusConfigSourceTest {
  @TempDir Path dir;
  private final List<String> errors = new CopyOnWriteArrayList<>();
  private final Handler capture =
      new Handler() {
        @Override
        public void publish(LogRecord record) {
          if (record.getLevel().intValue() >= Level.SEVERE.intValue()) {
            errors.add(record.getMessage());
          }
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
      };

  @BeforeEach
  void captureErrors() {
    Logger.getLogger(BusConfigSource.class.getName()).addHandler(capture);
  }

  @AfterEach
  void stopCapturing() {
    Logger.getLogger(BusConfigSource.class.getName()).removeHandler(capture);
  }

  @Test
  void aVersionWhoseApplicationFailsIsAppliedAtTheNextPollAndThePollerGoesOn() throws Exception {
    Path file = write("engines: [{name: me1}]\ndestinations: [{name: q1}]\n");
    BusConfigSource source = source(file);
    List<BusTopology> applied = new ArrayList<>();
    int[] failures = {2};
    source.onChange(
        topology -> {
          if (failures[0]-- > 0) {
            throw new OutOfMemoryError("injected"); // an Error would end the scheduled polling
          }
          applied.add(topology);
        });

    write("engines: [{name: me1}]\ndestinations: [{name: q1}, {name: q2}]\n");
    assertThatCode(() -> source.poll(file)).doesNotThrowAnyException();
    source.poll(file);
    assertThat(applied).isEmpty();
    assertThat(errors)
        .as("reported once")
        .singleElement()
        .asString()
        .startsWith("SIBUS0301E Applying");

    source.poll(file); // the same version again: applied this time
    assertThat(applied).hasSize(1);
    assertThat(applied.get(0).destination("q2")).isPresent();
    assertThat(source.current().destination("q2")).isPresent();

    source.poll(file); // unchanged since it applied
    assertThat(applied).hasSize(1);
  }

  @Test
  void theVersionBeforeAFailedOneAppliesAgainWhenTheFileGoesBackToIt() throws Exception {
    String first = "engines: [{name: me1}]\ndestinations: [{name: q1}]\n";
    Path file = write(first);
    BusConfigSource source = source(file);
    List<BusTopology> applied = new ArrayList<>();
    source.onChange(
        topology -> {
          applied.add(topology);
          if (topology.destination("q2").isPresent()) {
            throw new IllegalStateException("injected"); // after the topology took effect here
          }
        });

    write("engines: [{name: me1}]\ndestinations: [{name: q2}]\n");
    source.poll(file);
    assertThat(source.current().destination("q2")).isPresent(); // partly in force

    write(first);
    source.poll(file);
    assertThat(applied).hasSize(2);
    assertThat(applied.get(1).destination("q1")).isPresent();
    assertThat(source.current().destination("q1")).isPresent();
    assertThat(source.current().destination("q2")).isEmpty();
  }

  @Test
  void anInvalidVersionIsRefusedOnceAndThePreviousStaysInForce() throws Exception {
    Path file = write("engines: [{name: me1}]\ndestinations: [{name: q1}]\n");
    BusConfigSource source = source(file);
    List<BusTopology> applied = new ArrayList<>();
    source.onChange(applied::add);

    write("engines: [{name: me1, urls: [\"not a url\"]}]\n");
    source.poll(file);
    source.poll(file);
    assertThat(applied).isEmpty();
    assertThat(errors).as("refused once").singleElement().asString().contains("is invalid");
    assertThat(source.current().destination("q1")).isPresent();

    write("engines: [{name: me1}]\ndestinations: [{name: q3}]\n");
    source.poll(file);
    assertThat(applied).hasSize(1);
    assertThat(source.current().destination("q3")).isPresent();
  }

  private Path write(String text) throws Exception {
    return Files.writeString(dir.resolve("bus.yaml"), text);
  }

  private static BusConfigSource source(Path file) {
    SibusConfig config =
        new SmallRyeConfigBuilder()
            .withMapping(SibusConfig.class)
            .withConverter(
                Duration.class, 100, new DurationConverter()) // "15s", as Quarkus reads it
            .withSources(
                new PropertiesConfigSource(
                    Map.of(
                        "sibus.bus.name", "bus1",
                        "sibus.bus.config-file", file.toString(),
                        "sibus.engine.name", "me1"),
                    "test",
                    100))
            .build()
            .getConfigMapping(SibusConfig.class);
    BusConfigSource source = new BusConfigSource(config);
    source.load();
    return source;
  }
}
