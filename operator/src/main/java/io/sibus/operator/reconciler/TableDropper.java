package io.sibus.operator.reconciler;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.sibus.crds.v1alpha1.MessagingEngine;
import io.sibus.datastore.SchemaName;
import io.sibus.datastore.StoreTables;
import io.sibus.operator.model.MemberPods;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Base64;
import java.util.Properties;

/**
 * Drops a deleted engine's tables when its {@code onDelete} is {@code Drop}: exactly the statements
 * of {@code sibus ddl --drop}, in one transaction, with the engine's credentials.
 */
@ApplicationScoped
public class TableDropper {
  private final KubernetesClient client;

  public TableDropper(KubernetesClient client) {
    this.client = client;
  }

  public void drop(MessagingEngine me) throws SQLException {
    var store = me.getSpec().getDataStore();
    Properties props = new Properties();
    if (store.getCredentialsSecret() != null) {
      Secret secret =
          client
              .secrets()
              .inNamespace(me.getMetadata().getNamespace())
              .withName(store.getCredentialsSecret())
              .get();
      if (secret != null && secret.getData() != null) {
        props.setProperty("user", decode(secret.getData().get("username")));
        props.setProperty("password", decode(secret.getData().get("password")));
      }
    }
    props.setProperty("connectTimeout", "5");
    SchemaName schema = new SchemaName(MemberPods.schema(me));
    try (Connection c = DriverManager.getConnection(store.getJdbcUrl(), props)) {
      c.setAutoCommit(false);
      try (Statement s = c.createStatement()) {
        for (String sql : StoreTables.dropStatements(schema)) {
          s.execute(sql);
        }
        c.commit();
      } catch (SQLException e) {
        c.rollback();
        throw e;
      }
    }
  }

  private static String decode(String base64) {
    return base64 == null
        ? ""
        : new String(Base64.getDecoder().decode(base64), StandardCharsets.UTF_8);
  }
}
