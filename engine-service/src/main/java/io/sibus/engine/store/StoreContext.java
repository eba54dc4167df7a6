package io.sibus.engine.store;

import io.quarkus.runtime.configuration.ConfigurationException;
import io.sibus.datastore.EngineIdentity;
import io.sibus.datastore.MessageStore;
import io.sibus.datastore.Ownership;
import io.sibus.datastore.SchemaName;
import io.sibus.datastore.StreamStore;
import io.sibus.engine.config.SibusConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Who this member is and where its data store lives: engine identity, validated schema, the
 * statements bound to that schema, and the database coordinates for the member's lock session.
 */
@ApplicationScoped
public class StoreContext {
  private final EngineIdentity identity;
  private final SchemaName schema;
  private final Ownership ownership;
  private final MessageStore messages;
  private final StreamStore streams;
  private final String member;
  private final String url;
  private final String jdbcUrl;
  private final String username;
  private final String password;

  public StoreContext(
      SibusConfig config,
      @ConfigProperty(name = "quarkus.http.port", defaultValue = "8080") int httpPort,
      @ConfigProperty(name = "quarkus.datasource.jdbc.url") Optional<String> jdbcUrl,
      @ConfigProperty(name = "quarkus.datasource.username") Optional<String> username,
      @ConfigProperty(name = "quarkus.datasource.password") Optional<String> password) {
    this.identity = new EngineIdentity(config.bus().name(), config.engine().name());
    String schemaName =
        config.datastore().schema().orElse(SchemaName.forEngine(config.engine().name()).value());
    String problem = SchemaName.problem(schemaName);
    if (problem != null) {
      throw new ConfigurationException("sibus.datastore.schema: " + problem);
    }
    this.schema = new SchemaName(schemaName);
    this.ownership = new Ownership(schema, identity);
    this.messages = new MessageStore(schema);
    this.streams = new StreamStore(schema);
    this.member = config.engine().member().orElseGet(StoreContext::hostName);
    this.url = config.engine().url().orElse("http://" + hostName() + ":" + httpPort);
    this.jdbcUrl =
        jdbcUrl.orElseThrow(
            () ->
                new ConfigurationException(
                    "quarkus.datasource.jdbc.url is not set: sibus needs the JDBC URL of the"
                        + " engine's PostgreSQL data store."));
    this.username = username.orElse(null);
    this.password = password.orElse(null);
  }

  public EngineIdentity identity() {
    return identity;
  }

  public SchemaName schema() {
    return schema;
  }

  public Ownership ownership() {
    return ownership;
  }

  public MessageStore messages() {
    return messages;
  }

  public StreamStore streams() {
    return streams;
  }

  /** This member's name. */
  public String member() {
    return member;
  }

  /** The URL at which this member is reached. */
  public String url() {
    return url;
  }

  public String jdbcUrl() {
    return jdbcUrl;
  }

  public String username() {
    return username;
  }

  public String password() {
    return password;
  }

  private static String hostName() {
    String fromEnv = System.getenv("HOSTNAME");
    if (fromEnv != null && !fromEnv.isBlank()) {
      return fromEnv;
    }
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      return "localhost";
    }
  }
}
