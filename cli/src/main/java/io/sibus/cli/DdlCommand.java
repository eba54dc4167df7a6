package io.sibus.cli;

import io.sibus.datastore.SchemaName;
import io.sibus.datastore.StoreTables;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code sibus ddl}: prints the SQL of one engine's data store, for a database administrator who
 * creates the tables by hand (with {@code sibus.datastore.create-tables=false} on the engine). The
 * statements are exactly the ones the engine runs itself.
 */
@Command(
    name = "ddl",
    mixinStandardHelpOptions = true,
    description = {
      "Prints the PostgreSQL DDL of one engine's data store, or with --drop the statements that"
          + " remove it (tables, then the schema only if it is empty: never CASCADE)."
    })
final class DdlCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--schema",
      required = true,
      paramLabel = "S",
      description =
          "The engine's schema: 1 to 63 lower-case letters, digits and underscores, starting with"
              + " a letter or underscore (the engine's default is sibus_<engine name>).")
  String schema;

  @Option(names = "--drop", description = "Print the statements that remove the data store.")
  boolean drop;

  @Override
  public Integer call() {
    String problem = SchemaName.problem(schema);
    if (problem != null) {
      // Refused before any SQL is produced: the name ends up inside statements.
      throw new CommandLine.ParameterException(spec.commandLine(), "--schema: " + problem);
    }
    SchemaName name = new SchemaName(schema);
    List<String> statements =
        drop ? StoreTables.dropStatements(name) : StoreTables.createStatements(name);
    PrintWriter out = spec.commandLine().getOut();
    out.print(StoreTables.script(statements));
    out.flush();
    return 0;
  }
}
