package io.sibus.cli.backup;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The parts of a bus configuration file a backup and a restore need. */
public record BusFile(
    String bus, Map<String, List<String>> engines, Map<String, String> destinations) {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  public static BusFile parse(byte[] yaml) throws IOException {
    JsonNode root = YAML.readTree(yaml);
    Map<String, List<String>> engines = new LinkedHashMap<>();
    for (JsonNode e : root.path("engines")) {
      List<String> urls = new ArrayList<>();
      e.path("urls").forEach(u -> urls.add(u.asText()));
      engines.put(e.path("name").asText(), urls);
    }
    Map<String, String> destinations = new LinkedHashMap<>();
    for (JsonNode d : root.path("destinations")) {
      String on = d.path("localizedOn").asText(null);
      if (on == null && engines.size() == 1) {
        on = engines.keySet().iterator().next();
      }
      destinations.put(d.path("name").asText(), on);
    }
    return new BusFile(root.path("bus").asText(null), engines, destinations);
  }

  /** The destinations localized on {@code engine}. */
  public Set<String> destinationsOf(String engine) {
    Set<String> names = new LinkedHashSet<>();
    destinations.forEach(
        (name, on) -> {
          if (engine.equals(on)) {
            names.add(name);
          }
        });
    return names;
  }

  /** What differs between this (restored) configuration and the one running. */
  public List<String> differencesFrom(BusFile running) {
    List<String> differences = new ArrayList<>();
    for (String d : running.destinations.keySet()) {
      if (!destinations.containsKey(d)) {
        differences.add(
            "destination "
                + d
                + " (created after the backup) is removed; its messages go to the exception destination");
      }
    }
    for (String d : destinations.keySet()) {
      if (!running.destinations.containsKey(d)) {
        differences.add("destination " + d + " (removed after the backup) comes back");
      } else if (!destinations.get(d).equals(running.destinations.get(d))) {
        differences.add("destination " + d + " moves back to engine " + destinations.get(d));
      }
    }
    for (String e : running.engines.keySet()) {
      if (!engines.containsKey(e)) {
        differences.add(
            "engine " + e + " (added after the backup) is not in the restored configuration");
      }
    }
    return differences;
  }
}
