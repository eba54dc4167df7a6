package io.sibus.cli.backup;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.sibus.crds.v1alpha1.Bus;
import io.sibus.crds.v1alpha1.DataStoreSpec;
import io.sibus.crds.v1alpha1.MemberStatus;
import io.sibus.crds.v1alpha1.MessagingEngine;
import io.sibus.crds.v1alpha1.MessagingEngineSpec;
import io.sibus.crds.v1alpha1.TokenActionStatus;
import io.sibus.datastore.SchemaName;
import io.sibus.local.EngineClient;
import io.sibus.local.MemberSetClient;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Predicate;

/**
 * A bus on Kubernetes, as backup and restore reach it: its resources (kept in the backup as {@code
 * resources.yaml}, {@link BusResources}), the configuration the operator renders for its engines
 * (the ConfigMap {@code <bus>-bus}), each engine's database from its {@code dataStore}, and the
 * operator to stop and start engines: {@code initialState} and the {@code
 * sibus.io/restart-after-restore} token.
 *
 * <p>Engines and databases are reached at their Services' cluster IPs: from inside the cluster, or
 * from the machine of the local cluster.
 */
public final class KubernetesBus implements BusSite, AutoCloseable {
  private static final Duration PATIENCE = Duration.ofMinutes(5);

  private final KubernetesClient client;
  private final String namespace;
  private final String bus;
  private final String token;
  private final ServiceReach reach;
  private final BusResources resources;

  /** The {@code initialState} of each engine in the backup, put back by the start. */
  private final Map<String, String> archivedStates = new LinkedHashMap<>();

  /**
   * @param portForward reach engines and databases through port-forwards even when their cluster
   *     IPs answer (by default, only when they do not)
   */
  public KubernetesBus(
      KubernetesClient client, String namespace, String bus, String token, boolean portForward) {
    this.client = client;
    this.namespace = namespace;
    this.bus = bus;
    this.token = token;
    this.reach =
        new ServiceReach(client, portForward ? ServiceReach.Mode.FORWARD : ServiceReach.Mode.AUTO);
    this.resources = new BusResources(client, namespace, bus);
  }

  @Override
  public String kind() {
    return "kubernetes";
  }

  @Override
  public byte[] config() {
    ConfigMap map = client.configMaps().inNamespace(namespace).withName(bus + "-bus").get();
    if (client.resources(Bus.class).inNamespace(namespace).withName(bus).get() == null
        || map == null
        || map.getData() == null
        || !map.getData().containsKey("bus.yaml")) {
      throw new IllegalArgumentException(
          "no bus "
              + bus
              + " (with its configuration from the operator) in namespace "
              + namespace);
    }
    return map.getData().get("bus.yaml").getBytes(StandardCharsets.UTF_8);
  }

  /** The bus's resources as applied: specs, labels and annotations, without status. */
  @Override
  public Map<String, byte[]> extraConfig() throws IOException {
    return Map.of(BusResources.FILE, resources.asApplied());
  }

  @Override
  public String schema(String engine) {
    String schema = engine(engine).getSpec().getDataStore().getSchema();
    return schema != null ? schema : SchemaName.forEngine(engine).value();
  }

  @Override
  public Connection connect(String engine) throws SQLException {
    DataStoreSpec store = engine(engine).getSpec().getDataStore();
    Properties props = new Properties();
    if (store.getCredentialsSecret() != null) {
      Secret secret =
          client.secrets().inNamespace(namespace).withName(store.getCredentialsSecret()).get();
      if (secret == null) {
        throw new SQLException(
            "the credentials Secret " + store.getCredentialsSecret() + " is missing");
      }
      props.setProperty("user", secretValue(secret, "username"));
      props.setProperty("password", secretValue(secret, "password"));
    }
    try {
      return DriverManager.getConnection(reach.jdbcUrl(store.getJdbcUrl(), namespace), props);
    } catch (IOException e) {
      throw new SQLException(e.getMessage(), e);
    }
  }

  @Override
  public EngineClient.Reply callActive(String engine, List<String> urls, MemberSetClient.Call call)
      throws IOException {
    List<String> reachable = new ArrayList<>();
    for (String url : urls) {
      URI uri = URI.create(url);
      // The engine's Service is named after the engine (the operator's EngineResources).
      reachable.add(
          uri.getScheme() + "://" + reach.address(namespace, engine, port(uri)) + uri.getPath());
    }
    return new MemberSetClient(reachable, token).call(call, Duration.ofSeconds(30));
  }

  /** Every engine to {@code initialState: Stopped}, and the operator's word that it stopped. */
  @Override
  public void stopAll(BusFile running, Progress progress) {
    for (MessagingEngine me : engines()) {
      patch(me.getMetadata().getName(), Map.of("spec", Map.of("initialState", "Stopped")));
    }
    // The phase says Stopped as soon as the operator has been asked to stop, the members' states
    // once they have. A member counted down only because it was slow to answer (UNKNOWN) cannot
    // write into the restored store: the restore moves the epoch past the one it holds.
    for (MessagingEngine me : engines()) {
      String name = me.getMetadata().getName();
      await(
          name,
          m ->
              m.getStatus() != null
                  && "Stopped".equals(m.getStatus().getPhase())
                  && m.getStatus().getMembers().stream()
                      .allMatch(
                          member ->
                              member.getState() != null
                                  && MemberStatus.DOWN_STATES.contains(member.getState())),
          "to stop");
      progress.detail("engine %s stopped (initialState: Stopped)", name);
    }
  }

  /**
   * Re-applies the resources of the backup (see {@link BusResources#restore}); the engines stay
   * stopped until the start.
   */
  @Override
  public void restoreConfiguration(Archive archive, Progress progress) throws IOException {
    archivedStates.putAll(resources.restore(archive, progress));
  }

  /** The resources a restore would delete, and how each resource's spec would go back. */
  @Override
  public List<String> configurationChanges(Archive archive) throws IOException {
    return resources.changes(archive);
  }

  /**
   * The restart-after-restore token (and the recovery token first, when asked) on every engine,
   * with its {@code initialState} of the backup; the operator sequences the starts. Waits until
   * each engine's restart after restore is {@code Completed}.
   */
  @Override
  public void startAfterRestore(BusFile restored, boolean recovery, Progress progress) {
    String stamp = "restore-" + System.currentTimeMillis();
    Map<String, String> states = new LinkedHashMap<>();
    for (MessagingEngine me : engines()) {
      String name = me.getMetadata().getName();
      Map<String, String> annotations = new LinkedHashMap<>();
      annotations.put(MessagingEngine.RESTART_AFTER_RESTORE, stamp);
      if (recovery) {
        annotations.put(MessagingEngine.RECOVERY, stamp);
      }
      String state = archivedStates.getOrDefault(name, "Started");
      states.put(name, state);
      patch(
          name,
          Map.of(
              "metadata",
              Map.of("annotations", annotations),
              "spec",
              Map.of("initialState", state)));
    }
    for (String name : states.keySet()) {
      if (!"Started".equals(states.get(name))) {
        progress.detail(
            "engine %s is Stopped in the backup: it stays stopped; its restart after restore runs"
                + " when it is started",
            name);
        continue;
      }
      awaitRestartAfterRestore(name, stamp);
      progress.detail(
          "engine %s started, flush of all delivery streams completed (SIBUS0783I)", name);
    }
  }

  /**
   * {@code sibus restart-after-restore}: a fresh token on one started engine, then the wait until
   * the operator reports its restart after restore {@code Completed}.
   *
   * @return the token set
   */
  public String restartAfterRestore(String engine) {
    if (engine(engine).getSpec().getInitialState() == MessagingEngineSpec.InitialState.Stopped) {
      throw new IllegalStateException(
          "engine "
              + engine
              + " is stopped (initialState: Stopped): its restart after restore would wait for its"
              + " start; start it, or set the token with kubectl annotate to have it run then");
    }
    String stamp = "cli-" + System.currentTimeMillis();
    patch(
        engine,
        Map.of(
            "metadata",
            Map.of("annotations", Map.of(MessagingEngine.RESTART_AFTER_RESTORE, stamp))));
    awaitRestartAfterRestore(engine, stamp);
    return stamp;
  }

  private void awaitRestartAfterRestore(String name, String stamp) {
    await(
        name,
        m -> {
          TokenActionStatus rar =
              m.getStatus() == null ? null : m.getStatus().getRestartAfterRestore();
          if (rar != null
              && stamp.equals(rar.getObservedToken())
              && "Failed".equals(rar.getPhase())) {
            throw new IllegalStateException(
                "the restart after restore of engine " + name + " failed: " + rar.getMessage());
          }
          return rar != null
              && stamp.equals(rar.getObservedToken())
              && "Completed".equals(rar.getPhase());
        },
        "to complete its restart after restore");
  }

  private static int port(URI uri) {
    if (uri.getPort() > 0) {
      return uri.getPort();
    }
    return "https".equals(uri.getScheme()) ? 443 : 80;
  }

  @Override
  public void close() {
    reach.close();
    client.close();
  }

  private List<MessagingEngine> engines() {
    return client.resources(MessagingEngine.class).inNamespace(namespace).list().getItems().stream()
        .filter(me -> bus.equals(me.getSpec().getBus()))
        .toList();
  }

  private MessagingEngine engine(String name) {
    MessagingEngine me =
        client.resources(MessagingEngine.class).inNamespace(namespace).withName(name).get();
    if (me == null) {
      throw new IllegalArgumentException(
          "no MessagingEngine " + name + " in namespace " + namespace);
    }
    return me;
  }

  private void patch(String engine, Map<String, Object> patch) {
    client
        .resources(MessagingEngine.class)
        .inNamespace(namespace)
        .withName(engine)
        .patch(PatchContext.of(PatchType.JSON_MERGE), Serialization.asJson(patch));
  }

  private void await(String engine, Predicate<MessagingEngine> done, String what) {
    long deadline = System.nanoTime() + PATIENCE.toNanos();
    while (!done.test(engine(engine))) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "engine "
                + engine
                + " did not come "
                + what
                + " within "
                + PATIENCE.toMinutes()
                + " minutes");
      }
      StandaloneBus.sleep(250);
    }
  }

  private static String secretValue(Secret secret, String key) throws SQLException {
    if (secret.getData() != null && secret.getData().containsKey(key)) {
      return new String(
          Base64.getDecoder().decode(secret.getData().get(key)), StandardCharsets.UTF_8);
    }
    if (secret.getStringData() != null && secret.getStringData().containsKey(key)) {
      return secret.getStringData().get(key);
    }
    throw new SQLException("the Secret " + secret.getMetadata().getName() + " has no key " + key);
  }
}
