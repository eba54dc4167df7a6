package io.sibus.crds.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.ValidationRule;

/** Where and how an engine keeps its messages. */
public class DataStoreSpec {
  /** The pattern of a safe schema name (the engine enforces the same). */
  public static final String SCHEMA_PATTERN = "^[a-z_][a-z0-9_]{0,62}$";

  @Required
  @Pattern("^jdbc:postgresql://.+")
  @JsonPropertyDescription(
      "JDBC URL of the PostgreSQL database, for example"
          + " jdbc:postgresql://postgres.db.svc:5432/sibus.")
  private String jdbcUrl;

  @JsonPropertyDescription(
      "A Secret in the same namespace with the keys 'username' and 'password' of the database"
          + " user.")
  private String credentialsSecret;

  @Pattern(SCHEMA_PATTERN)
  @ValidationRule(value = "self == oldSelf", message = "dataStore.schema is immutable")
  @JsonPropertyDescription(
      "The engine's schema: lower-case letters, digits and underscores. Defaults to sibus_ and"
          + " the engine name. Immutable: the data store stays where it is.")
  private String schema;

  @Default("true")
  @JsonPropertyDescription(
      "Create missing tables at start. When false, a database administrator creates them with"
          + " the statements of 'sibus ddl --schema <schema>'.")
  private Boolean createTables = true;

  @Default("15m")
  @Pattern("^[0-9]+(ms|s|m|h)$")
  @JsonPropertyDescription(
      "How long a starting member waits for the database before it is disabled for high"
          + " availability, such as 30s, 15m.")
  private String startupTimeout = "15m";

  @Default("true")
  @JsonPropertyDescription(
      "true: a member that loses its database connection stops, so that another member takes"
          + " over. false: it waits for the database and refuses persistent messages meanwhile.")
  private Boolean failoverOnConnectionLoss = true;

  @Default("Retain")
  @JsonPropertyDescription(
      "What happens to the tables when the MessagingEngine is deleted: Retain keeps them, Drop"
          + " removes them.")
  private OnDelete onDelete = OnDelete.Retain;

  /** What deleting the engine does to its tables. */
  public enum OnDelete {
    Retain,
    Drop
  }

  public String getJdbcUrl() {
    return jdbcUrl;
  }

  public void setJdbcUrl(String jdbcUrl) {
    this.jdbcUrl = jdbcUrl;
  }

  public String getCredentialsSecret() {
    return credentialsSecret;
  }

  public void setCredentialsSecret(String credentialsSecret) {
    this.credentialsSecret = credentialsSecret;
  }

  public String getSchema() {
    return schema;
  }

  public void setSchema(String schema) {
    this.schema = schema;
  }

  public Boolean getCreateTables() {
    return createTables;
  }

  public void setCreateTables(Boolean createTables) {
    this.createTables = createTables;
  }

  public String getStartupTimeout() {
    return startupTimeout;
  }

  public void setStartupTimeout(String startupTimeout) {
    this.startupTimeout = startupTimeout;
  }

  public Boolean getFailoverOnConnectionLoss() {
    return failoverOnConnectionLoss;
  }

  public void setFailoverOnConnectionLoss(Boolean failoverOnConnectionLoss) {
    this.failoverOnConnectionLoss = failoverOnConnectionLoss;
  }

  public OnDelete getOnDelete() {
    return onDelete;
  }

  public void setOnDelete(OnDelete onDelete) {
    this.onDelete = onDelete;
  }
}
