package io.sibus.datastore;

/**
 * One column of a data store table: its name, the data type PostgreSQL reports for it in {@code
 * information_schema.columns}, and the rest of its definition (constraints, defaults).
 */
public record Column(String name, String dataType, String constraints) {

  /** The column definition as it appears in {@code CREATE TABLE}. */
  String definition() {
    String type = dataType.equals("timestamp with time zone") ? "timestamptz" : dataType;
    return constraints.isEmpty() ? name + " " + type : name + " " + type + " " + constraints;
  }
}
