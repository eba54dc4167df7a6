package io.sibus.datastore;

import java.util.List;
import java.util.stream.Collectors;

/** A data store table: its columns and the table-level constraints that follow them. */
public record Table(String name, List<Column> columns, List<String> tableConstraints) {

  String createStatement(SchemaName schema) {
    String body =
        columns.stream().map(c -> "  " + c.definition()).collect(Collectors.joining(",\n"));
    for (String constraint : tableConstraints) {
      body += ",\n  " + constraint;
    }
    return "CREATE TABLE " + schema.qualify(name) + " (\n" + body + "\n)";
  }
}
