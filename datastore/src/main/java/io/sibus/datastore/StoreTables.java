package io.sibus.datastore;

import java.util.ArrayList;
import java.util.List;

/**
 * The tables of an engine's data store, as a model. The DDL the engine runs (and {@code sibus ddl}
 * prints) is generated from this model, and the verification at every start compares the live
 * schema against the same model, so the two can never disagree.
 */
public final class StoreTables {
  /** Version of this layout, recorded in the owner row. A store from a later version is refused. */
  public static final int SCHEMA_VERSION = 1;

  /** One row: which engine owns the store, its incarnation and epoch, and any failover marker. */
  public static final Table OWNER =
      new Table(
          "sibus_owner",
          List.of(
              col("id", "smallint", "PRIMARY KEY CHECK (id = 1)"),
              col("engine_uuid", "uuid", "NOT NULL"),
              col("bus_name", "text", "NOT NULL"),
              col("engine_name", "text", "NOT NULL"),
              col("schema_version", "integer", "NOT NULL"),
              col("incarnation", "uuid", "NOT NULL"),
              col("epoch", "bigint", "NOT NULL"),
              col("created_at", "timestamp with time zone", "NOT NULL"),
              col("activated_at", "timestamp with time zone", ""),
              col("active_member", "text", ""),
              col("active_url", "text", ""),
              col("suppressed_code", "text", ""),
              col("suppressed_message", "text", ""),
              col("suppressed_at", "timestamp with time zone", "")),
          List.of());

  /** One row: the member holding exclusive access, and its heartbeat on the database clock. */
  public static final Table LEASE =
      new Table(
          "sibus_lease",
          List.of(
              col("id", "smallint", "PRIMARY KEY CHECK (id = 1)"),
              col("holder", "text", "NOT NULL"),
              col("holder_pid", "integer", "NOT NULL"),
              col("heartbeat_at", "timestamp with time zone", "NOT NULL")),
          List.of());

  /** The persistent messages of every destination of the engine. */
  public static final Table MESSAGE =
      new Table(
          "sibus_message",
          List.of(
              col("seq", "bigint", "PRIMARY KEY"),
              col("message_id", "text", "NOT NULL UNIQUE"),
              col("destination", "text", "NOT NULL"),
              col("priority", "smallint", "NOT NULL"),
              col("reliability", "smallint", "NOT NULL"),
              col("content_type", "text", ""),
              col("correlation_id", "text", ""),
              col("properties", "text", "NOT NULL"),
              col("body", "bytea", "NOT NULL"),
              col("enqueued_at", "timestamp with time zone", "NOT NULL"),
              col("expires_at", "timestamp with time zone", ""),
              col("delivery_count", "integer", "NOT NULL DEFAULT 0"),
              col("receipt", "uuid", ""),
              col("locked_until", "timestamp with time zone", ""),
              col("checksum", "bigint", "NOT NULL")),
          List.of());

  /** Idempotency keys seen per destination, kept for the bus's deduplication window. */
  public static final Table IDEMPOTENCY =
      new Table(
          "sibus_idempotency",
          List.of(
              col("destination", "text", "NOT NULL"),
              col("idempotency_key", "text", "NOT NULL"),
              col("message_id", "text", "NOT NULL"),
              col("created_at", "timestamp with time zone", "NOT NULL")),
          List.of("PRIMARY KEY (destination, idempotency_key)"));

  /**
   * Outgoing delivery streams, one per (target engine, reliability): the stream id, the next tick
   * to assign and the prefix the target has acknowledged.
   */
  public static final Table STREAM_OUT =
      new Table(
          "sibus_stream_out",
          List.of(
              col("target", "text", "NOT NULL"),
              col("reliability", "smallint", "NOT NULL"),
              col("stream_id", "uuid", "NOT NULL"),
              col("next_tick", "bigint", "NOT NULL"),
              col("acked_prefix", "bigint", "NOT NULL")),
          List.of("PRIMARY KEY (target, reliability)"));

  /** Messages stored here for another engine, waiting for that engine to acknowledge them. */
  public static final Table TRANSMIT =
      new Table(
          "sibus_transmit",
          List.of(
              col("target", "text", "NOT NULL"),
              col("reliability", "smallint", "NOT NULL"),
              col("tick", "bigint", "NOT NULL"),
              col("message_id", "text", "NOT NULL"),
              col("destination", "text", "NOT NULL"),
              col("priority", "smallint", "NOT NULL"),
              col("content_type", "text", ""),
              col("correlation_id", "text", ""),
              col("properties", "text", "NOT NULL"),
              col("body", "bytea", "NOT NULL"),
              col("enqueued_at", "timestamp with time zone", "NOT NULL"),
              col("expires_at", "timestamp with time zone", ""),
              col("checksum", "bigint", "NOT NULL")),
          List.of("PRIMARY KEY (target, reliability, tick)"));

  /** Incoming delivery streams, per (source engine, reliability): the completed prefix. */
  public static final Table STREAM_IN =
      new Table(
          "sibus_stream_in",
          List.of(
              col("source", "text", "NOT NULL"),
              col("reliability", "smallint", "NOT NULL"),
              col("stream_id", "uuid", "NOT NULL"),
              col("completed_prefix", "bigint", "NOT NULL")),
          List.of("PRIMARY KEY (source, reliability)"));

  /**
   * Ids of messages accepted from other engines, kept for the bus's deduplication window, so that
   * messages resent after a restore are recognised.
   */
  public static final Table SEEN =
      new Table(
          "sibus_seen_message",
          List.of(
              col("message_id", "text", "PRIMARY KEY"),
              col("source", "text", "NOT NULL"),
              col("received_at", "timestamp with time zone", "NOT NULL")),
          List.of());

  private StoreTables() {}

  public static List<Table> all() {
    return List.of(OWNER, LEASE, MESSAGE, IDEMPOTENCY, STREAM_OUT, TRANSMIT, STREAM_IN, SEEN);
  }

  /**
   * The statements that create the data store, in order; the engine runs them in one transaction.
   */
  public static List<String> createStatements(SchemaName schema) {
    List<String> statements = new ArrayList<>();
    statements.add("CREATE SCHEMA IF NOT EXISTS " + schema.quoted());
    for (Table table : all()) {
      statements.add(table.createStatement(schema));
    }
    statements.add(
        "CREATE INDEX sibus_message_queue ON "
            + schema.qualify(MESSAGE.name())
            + " (destination, priority DESC, seq)");
    statements.add(
        "CREATE INDEX sibus_idempotency_age ON "
            + schema.qualify(IDEMPOTENCY.name())
            + " (created_at)");
    statements.add(
        "CREATE INDEX sibus_seen_message_age ON " + schema.qualify(SEEN.name()) + " (received_at)");
    return statements;
  }

  /**
   * The statements that remove the data store: its tables, then the schema only if nothing else is
   * left in it (no CASCADE: other objects a user keeps there are never dropped).
   */
  public static List<String> dropStatements(SchemaName schema) {
    List<String> statements = new ArrayList<>();
    List<Table> tables = new ArrayList<>(all());
    java.util.Collections.reverse(tables);
    for (Table table : tables) {
      statements.add("DROP TABLE IF EXISTS " + schema.qualify(table.name()));
    }
    if (!schema.value().equals("public")) {
      statements.add("DROP SCHEMA IF EXISTS " + schema.quoted());
    }
    return statements;
  }

  /** The statements as a script: each ends with a semicolon, one blank line between them. */
  public static String script(List<String> statements) {
    StringBuilder out = new StringBuilder();
    for (String statement : statements) {
      out.append(statement).append(";\n\n");
    }
    return out.toString().stripTrailing() + "\n";
  }

  private static Column col(String name, String type, String constraints) {
    return new Column(name, type, constraints);
  }
}
