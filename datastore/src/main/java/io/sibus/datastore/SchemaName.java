package io.sibus.datastore;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The name of an engine's data store schema. It becomes an SQL identifier, so only lower-case
 * letters, digits and underscores are accepted, starting with a letter or underscore, at most 63
 * characters (PostgreSQL's limit), and never a system schema ({@code pg_*}, {@code
 * information_schema}). Every statement still quotes it.
 */
public record SchemaName(String value) {
  public static final String PATTERN = "^[a-z_][a-z0-9_]{0,62}$";
  private static final Pattern VALID = Pattern.compile(PATTERN);

  public SchemaName {
    String problem = problem(value);
    if (problem != null) {
      throw new IllegalArgumentException(problem);
    }
  }

  /** Why {@code value} is not a safe schema name, or {@code null} when it is one. */
  public static String problem(String value) {
    if (value == null || value.isEmpty()) {
      return "the schema name is empty";
    }
    if (!VALID.matcher(value).matches()) {
      return "the schema name '"
          + printable(value)
          + "' is not a safe SQL identifier: use 1 to 63 lower-case letters, digits and"
          + " underscores, starting with a letter or underscore (pattern "
          + PATTERN
          + ")";
    }
    if (value.startsWith("pg_") || value.equals("information_schema")) {
      return "the schema name '" + value + "' is reserved by PostgreSQL";
    }
    return null;
  }

  /** The default schema of an engine: {@code sibus_} and the engine name made safe. */
  public static SchemaName forEngine(String engineName) {
    String safe = engineName.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]", "_");
    String name = "sibus_" + safe;
    return new SchemaName(name.length() > 63 ? name.substring(0, 63) : name);
  }

  /** The schema as a quoted identifier, ready to be placed in a statement. */
  public String quoted() {
    return '"' + value + '"';
  }

  /** {@code "schema"."table"}. */
  public String qualify(String table) {
    return quoted() + ".\"" + table + '"';
  }

  @Override
  public String toString() {
    return value;
  }

  private static String printable(String value) {
    String shown = value.replaceAll("\\p{Cntrl}", "?");
    return shown.length() > 80 ? shown.substring(0, 80) + "..." : shown;
  }
}
