package io.sibus.operator.model;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import io.sibus.crds.v1alpha1.DataStoreSpec;
import io.sibus.crds.v1alpha1.MessagingEngine;
import io.sibus.crds.v1alpha1.MessagingEngineSpec;
import io.sibus.datastore.SchemaName;
import io.sibus.operator.Labels;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The member pods of an engine, managed directly (as CloudNativePG manages its instances): the
 * operator decides which one is active. Members always start with their engine stopped; the
 * operator starts them, so that a restarted pod never starts in the wrong mode after a restore.
 */
public final class MemberPods {
  public static final String CONTAINER = "engine";
  public static final String CONFIG_DIR = "/etc/sibus";

  private MemberPods() {}

  public static String name(String engine, int index) {
    return engine + "-" + index;
  }

  public static Pod build(MessagingEngine me, int index, String defaultImage, int port) {
    MessagingEngineSpec spec = me.getSpec();
    String engine = me.getMetadata().getName();
    Map<String, String> labels = new LinkedHashMap<>(Labels.member(spec.getBus(), engine));
    labels.put(Labels.ROLE, Labels.ROLE_STANDBY);
    return new PodBuilder()
        .withNewMetadata()
        .withName(name(engine, index))
        .withNamespace(me.getMetadata().getNamespace())
        .withLabels(labels)
        .withOwnerReferences(
            new OwnerReferenceBuilder()
                .withApiVersion(me.getApiVersion())
                .withKind(me.getKind())
                .withName(engine)
                .withUid(me.getMetadata().getUid())
                .withController(true)
                .build())
        .endMetadata()
        .withNewSpec()
        .withServiceAccountName(EngineResources.memberAccount(engine))
        .withRestartPolicy("Always")
        .withTerminationGracePeriodSeconds(30L)
        .withContainers(container(me, defaultImage, port))
        .addNewVolume()
        .withName("bus-config")
        .withNewConfigMap()
        .withName(BusConfigMaps.name(spec.getBus()))
        .endConfigMap()
        .endVolume()
        .endSpec()
        .build();
  }

  /** The engine's container: its image, configuration, probes and the bus file mounted. */
  private static Container container(MessagingEngine me, String defaultImage, int port) {
    MessagingEngineSpec spec = me.getSpec();
    return new ContainerBuilder()
        .withName(CONTAINER)
        .withImage(spec.getImage() == null ? defaultImage : spec.getImage())
        .withEnv(env(me, port))
        .addNewPort()
        .withName("http")
        .withContainerPort(port)
        .endPort()
        .withStartupProbe(probe("/q/health/started", port, 60))
        .withLivenessProbe(probe("/q/health/live", port, 3))
        // Routing is by the role label, so standbys stay Ready (and disruption budgets work).
        .withReadinessProbe(probe("/q/health/group/member", port, 3))
        .withResources(spec.getResources())
        .withTerminationMessagePath("/dev/termination-log")
        .addNewVolumeMount()
        .withName("bus-config")
        .withMountPath(CONFIG_DIR)
        .withReadOnly(true)
        .endVolumeMount()
        .build();
  }

  static List<EnvVar> env(MessagingEngine me, int port) {
    MessagingEngineSpec spec = me.getSpec();
    DataStoreSpec store = spec.getDataStore();
    String engine = me.getMetadata().getName();
    List<EnvVar> env = new ArrayList<>();
    env.add(field("SIBUS_ENGINE_MEMBER", "metadata.name"));
    env.add(field("POD_NAMESPACE", "metadata.namespace"));
    env.add(field("POD_IP", "status.podIP"));
    env.add(value("SIBUS_BUS_NAME", spec.getBus()));
    env.add(value("SIBUS_ENGINE_NAME", engine));
    env.add(value("SIBUS_ENGINE_URL", "http://$(POD_IP):" + port));
    env.add(value("SIBUS_ENGINE_ELECTION", "kubernetes"));
    env.add(value("SIBUS_ENGINE_INITIAL_STATE", "STOPPED"));
    env.add(value("SIBUS_BUS_CONFIG_FILE", CONFIG_DIR + "/" + BusConfigMaps.KEY));
    env.add(
        secret(
            "SIBUS_BUS_SECRET", BusConfigMaps.secretName(spec.getBus()), BusConfigMaps.SECRET_KEY));
    env.add(value("QUARKUS_HTTP_PORT", Integer.toString(port)));
    env.add(value("QUARKUS_DATASOURCE_JDBC_URL", store.getJdbcUrl()));
    if (store.getCredentialsSecret() != null) {
      env.add(secret("QUARKUS_DATASOURCE_USERNAME", store.getCredentialsSecret(), "username"));
      env.add(secret("QUARKUS_DATASOURCE_PASSWORD", store.getCredentialsSecret(), "password"));
    }
    env.add(value("SIBUS_DATASTORE_SCHEMA", schema(me)));
    env.add(
        value(
            "SIBUS_DATASTORE_CREATE_TABLES",
            String.valueOf(!Boolean.FALSE.equals(store.getCreateTables()))));
    env.add(value("SIBUS_DATASTORE_STARTUP_TIMEOUT", store.getStartupTimeout()));
    env.add(
        value(
            "SIBUS_DATASTORE_FAILOVER_ON_CONNECTION_LOSS",
            String.valueOf(!Boolean.FALSE.equals(store.getFailoverOnConnectionLoss()))));
    var failover = spec.getFailover();
    if (failover != null) {
      env.add(value("SIBUS_ELECTION_LEASE_DURATION", failover.getLeaseDurationSeconds() + "s"));
      env.add(value("SIBUS_ELECTION_RENEW_DEADLINE", failover.getRenewDeadlineSeconds() + "s"));
      env.add(value("SIBUS_ELECTION_RETRY_PERIOD", failover.getRetryPeriodSeconds() + "s"));
    }
    if (spec.getProperties() != null) {
      spec.getProperties().forEach((key, v) -> env.add(value(envName(key), v)));
    }
    return env;
  }

  /** The engine's schema: the one asked for, or the engine default (sibus_ + name). */
  public static String schema(MessagingEngine me) {
    String schema = me.getSpec().getDataStore().getSchema();
    return schema != null ? schema : SchemaName.forEngine(me.getMetadata().getName()).value();
  }

  /** MicroProfile Config's environment form of a property name. */
  static String envName(String property) {
    return property.replaceAll("[^A-Za-z0-9]", "_").toUpperCase(Locale.ROOT);
  }

  private static Probe probe(String path, int port, int failureThreshold) {
    return new ProbeBuilder()
        .withNewHttpGet()
        .withPath(path)
        .withNewPort(port)
        .endHttpGet()
        .withPeriodSeconds(2)
        .withTimeoutSeconds(2)
        .withFailureThreshold(failureThreshold)
        .build();
  }

  private static EnvVar value(String name, String value) {
    return new EnvVarBuilder().withName(name).withValue(value).build();
  }

  private static EnvVar field(String name, String path) {
    return new EnvVarBuilder()
        .withName(name)
        .withNewValueFrom()
        .withNewFieldRef()
        .withFieldPath(path)
        .endFieldRef()
        .endValueFrom()
        .build();
  }

  private static EnvVar secret(String name, String secret, String key) {
    return new EnvVarBuilder()
        .withName(name)
        .withNewValueFrom()
        .withNewSecretKeyRef()
        .withName(secret)
        .withKey(key)
        .endSecretKeyRef()
        .endValueFrom()
        .build();
  }
}
