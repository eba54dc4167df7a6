package io.sibus.cli;

import io.sibus.cli.backup.StandaloneBus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/** How backup and restore reach a standalone bus: its configuration file and its database. */
final class StandaloneOptions {
  @CommandLine.Spec(CommandLine.Spec.Target.MIXEE)
  CommandLine.Model.CommandSpec mixee;

  @Option(
      names = "--config",
      paramLabel = "FILE",
      description = "The bus configuration file (sibus.bus.config-file of its engines).")
  Path config;

  @Option(
      names = "--jdbc-url",
      paramLabel = "URL",
      description = "The JDBC URL of the engines' PostgreSQL database.")
  String jdbcUrl;

  @Option(
      names = "--db-user",
      paramLabel = "USER",
      defaultValue = "${env:SIBUS_DB_USER}",
      description = "The database user (default: SIBUS_DB_USER).")
  String user;

  @Option(
      names = "--db-password",
      paramLabel = "PASSWORD",
      defaultValue = "${env:SIBUS_DB_PASSWORD}",
      description = "The database password (default: SIBUS_DB_PASSWORD).")
  String password;

  @Option(
      names = "--schema",
      paramLabel = "ENGINE=SCHEMA",
      split = ",",
      description = "An engine's schema when it is not sibus_<engine>.")
  List<String> schemas = List.of();

  @Option(
      names = "--token",
      paramLabel = "T",
      defaultValue = "${env:SIBUS_TOKEN}",
      description = "The engines' API token (default: SIBUS_TOKEN).")
  String token;

  /** Whether the standalone form was asked for (else the bus is on Kubernetes). */
  boolean given() {
    return config != null || jdbcUrl != null;
  }

  /** The engines' API token, or null. */
  String token() {
    return blank(token);
  }

  StandaloneBus bus() {
    if (config == null || jdbcUrl == null) {
      throw new CommandLine.ParameterException(
          mixee.commandLine(), "--config and --jdbc-url are required for a standalone bus");
    }
    if (!Files.isRegularFile(config)) {
      throw new CommandFailure("the configuration file " + config + " does not exist");
    }
    Map<String, String> byEngine = new LinkedHashMap<>();
    for (String pair : schemas) {
      String[] parts = pair.split("=", 2);
      String problem =
          parts.length == 2 ? io.sibus.datastore.SchemaName.problem(parts[1]) : "use ENGINE=SCHEMA";
      if (problem != null) {
        throw new CommandLine.ParameterException(
            mixee.commandLine(), "--schema " + pair + ": " + problem);
      }
      byEngine.put(parts[0], parts[1]);
    }
    return new StandaloneBus(config, jdbcUrl, blank(user), blank(password), byEngine, blank(token));
  }

  private static String blank(String value) {
    return value == null || value.isBlank() ? null : value;
  }
}
