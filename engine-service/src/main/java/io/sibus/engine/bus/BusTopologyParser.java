package io.sibus.engine.bus;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.sibus.datastore.Reliability;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads the bus configuration file (CONTRACT.md, "The bus config file") and validates it: every
 * problem is reported with where it is, and an invalid file is refused as a whole.
 */
public final class BusTopologyParser {
  /**
   * Names of engines and destinations: safe in URLs, logs and properties. A leading letter or digit
   * keeps the {@code _SYSTEM.} names of system destinations out of users' reach.
   */
  public static final Pattern NAME = Pattern.compile("^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$");

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private BusTopologyParser() {}

  /** The file's shape, as written. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  static final class FileShape {
    public String bus;
    public String secret;
    public String dedupWindow;
    public List<EngineShape> engines = new ArrayList<>();
    public List<DestinationShape> destinations = new ArrayList<>();
  }

  @JsonIgnoreProperties(ignoreUnknown = true)
  static final class EngineShape {
    public String name;
    public List<String> urls = new ArrayList<>();
  }

  @JsonIgnoreProperties(ignoreUnknown = true)
  static final class DestinationShape {
    public String name;
    public String type = "Queue";
    public String localizedOn;
    public String defaultReliability = "ASSURED_PERSISTENT";
    public Integer maxRedeliveries = 5;
    public Long maxDepth;
  }

  /** Parses and validates; throws {@link IllegalArgumentException} naming every problem. */
  public static BusTopology parse(String text) {
    FileShape file;
    try {
      file =
          text == null || text.isBlank() ? new FileShape() : YAML.readValue(text, FileShape.class);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalArgumentException("not valid YAML: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new IllegalArgumentException("not readable: " + e.getMessage());
    }
    List<String> problems = new ArrayList<>();
    List<BusTopology.EngineRef> engines = engines(file, problems);
    List<BusTopology.DestinationDef> destinations = destinations(file, engines, problems);
    Duration window = dedupWindow(file.dedupWindow, problems);
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(String.join("; ", problems));
    }
    return new BusTopology(file.bus, file.secret, window, engines, destinations);
  }

  private static List<BusTopology.EngineRef> engines(FileShape file, List<String> problems) {
    List<BusTopology.EngineRef> engines = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < file.engines.size(); i++) {
      EngineShape e = file.engines.get(i);
      if (e == null || e.name == null || !NAME.matcher(e.name).matches()) {
        problems.add("engines[" + i + "].name is missing or not a valid name");
        continue;
      }
      if (!seen.add(e.name)) {
        problems.add("engines[" + i + "].name '" + e.name + "' is listed twice");
      }
      List<String> urls = e.urls == null ? List.of() : e.urls;
      for (int j = 0; j < urls.size(); j++) {
        if (!isHttpUrl(urls.get(j))) {
          problems.add(
              "engines["
                  + i
                  + "].urls["
                  + j
                  + "] '"
                  + urls.get(j)
                  + "' is not an http or https URL with a host");
        }
      }
      engines.add(
          new BusTopology.EngineRef(
              e.name, urls.stream().filter(BusTopologyParser::isHttpUrl).toList()));
    }
    return engines;
  }

  /**
   * A member's URL, to which the engine adds the API's paths: checked here, since a URL that does
   * not parse failed only when a message was first forwarded to it.
   */
  private static boolean isHttpUrl(String url) {
    if (url == null) {
      return false;
    }
    try {
      URI uri = new URI(url);
      return ("http".equalsIgnoreCase(uri.getScheme()) || "https".equalsIgnoreCase(uri.getScheme()))
          && uri.getHost() != null;
    } catch (URISyntaxException e) {
      return false;
    }
  }

  private static List<BusTopology.DestinationDef> destinations(
      FileShape file, List<BusTopology.EngineRef> engines, List<String> problems) {
    List<BusTopology.DestinationDef> destinations = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < file.destinations.size(); i++) {
      DestinationShape d = file.destinations.get(i);
      String where = "destinations[" + i + "]";
      if (d == null || d.name == null || !NAME.matcher(d.name).matches()) {
        problems.add(where + ".name is missing or not a valid name (" + NAME.pattern() + ")");
        continue;
      }
      if (!seen.add(d.name)) {
        problems.add(where + ".name '" + d.name + "' is listed twice");
      }
      if (!"Queue".equals(d.type)) {
        problems.add(where + ".type must be Queue");
      }
      String localizedOn = d.localizedOn;
      if (localizedOn == null && engines.size() == 1) {
        localizedOn = engines.get(0).name();
      }
      String owner = localizedOn;
      if (owner == null
          || (!engines.isEmpty() && engines.stream().noneMatch(e -> e.name().equals(owner)))) {
        problems.add(where + ".localizedOn must name an engine of the bus");
      }
      Reliability reliability = Reliability.parse(d.defaultReliability).orElse(null);
      if (reliability == null) {
        problems.add(where + ".defaultReliability '" + d.defaultReliability + "' is not a level");
      }
      int max = d.maxRedeliveries == null ? 5 : d.maxRedeliveries;
      if (max < 0) {
        problems.add(where + ".maxRedeliveries must be 0 or more");
      }
      if (d.maxDepth != null && d.maxDepth < 1) {
        problems.add(where + ".maxDepth must be 1 or more");
      }
      destinations.add(
          new BusTopology.DestinationDef(
              d.name, "Queue", localizedOn, reliability, max, d.maxDepth));
    }
    return destinations;
  }

  /** Durations as {@code 24h}, {@code 30m}, {@code 10s}, {@code 500ms}, {@code 0} or ISO-8601. */
  public static Duration dedupWindow(String text, List<String> problems) {
    if (text == null || text.isBlank()) {
      return BusTopology.DEFAULT_DEDUP_WINDOW;
    }
    try {
      return parseDuration(text);
    } catch (IllegalArgumentException e) {
      problems.add("dedupWindow '" + text + "' is not a duration such as 24h, 30m or 0");
      return BusTopology.DEFAULT_DEDUP_WINDOW;
    }
  }

  static Duration parseDuration(String text) {
    String t = text.trim().toLowerCase(Locale.ROOT);
    try {
      if (t.matches("\\d+")) {
        return Duration.ofSeconds(Long.parseLong(t));
      }
      if (t.matches("\\d+ms")) {
        return Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2)));
      }
      if (t.matches("\\d+[smh]")) {
        return Duration.parse("PT" + t.toUpperCase(Locale.ROOT));
      }
      if (t.matches("\\d+d")) {
        return Duration.ofDays(Long.parseLong(t.substring(0, t.length() - 1)));
      }
      return Duration.parse(text.trim().toUpperCase(Locale.ROOT));
    } catch (DateTimeParseException | NumberFormatException e) {
      throw new IllegalArgumentException(text);
    }
  }
}
