package io.sibus.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import io.sibus.crds.v1alpha1.Bus;
import io.sibus.crds.v1alpha1.BusSpec;
import io.sibus.crds.v1alpha1.DataStoreSpec;
import io.sibus.crds.v1alpha1.Destination;
import io.sibus.crds.v1alpha1.DestinationSpec;
import io.sibus.crds.v1alpha1.MessagingEngine;
import io.sibus.crds.v1alpha1.MessagingEngineSpec;
import io.sibus.crds.v1alpha1.MessagingEngineStatus;
import io.sibus.datastore.SchemaName;
import io.sibus.datastore.StoreTables;
import io.sibus.local.LocalPostgres;
import io.sibus.operator.Labels;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The operator against the Kubernetes test server (CRUD mode), with stand-ins for the members'
 * admin API and the kubelet ({@link FakeEngines}).
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true, setup = TestServerSetup.class)
class OperatorIT {
  static final String NS = "test";

  @Inject KubernetesClient client;
  @Inject FakeEngines engines;

  @BeforeEach
  void setUp() {
    engines.run();
    if (client.resources(Bus.class).inNamespace(NS).withName("demo").get() == null) {
      Bus bus = new Bus();
      bus.setMetadata(new ObjectMetaBuilder().withName("demo").withNamespace(NS).build());
      bus.setSpec(new BusSpec());
      client.resources(Bus.class).inNamespace(NS).resource(bus).create();
    }
  }

  @Test
  void anEngineBecomesPodsAServiceALeaseAndTheBusConfigWithOneActiveMember() {
    create("alpha", 2);
    Destination orders = destination("alpha-orders", "alpha");
    client.resources(Destination.class).inNamespace(NS).resource(orders).create();
    MessagingEngineStatus status = awaitStatus("alpha", s -> "Running".equals(s.getPhase()));
    assertThat(pods("alpha"))
        .extracting(p -> p.getMetadata().getName())
        .containsExactlyInAnyOrder("alpha-0", "alpha-1");
    assertThat(status.getActiveMember()).isIn("alpha-0", "alpha-1");
    assertThat(status.getMembersReady()).isEqualTo("2/2");
    awaitTrue(
        () ->
            roles("alpha")
                .equals(
                    Map.of(
                        status.getActiveMember(),
                        Labels.ROLE_ACTIVE,
                        other("alpha", status.getActiveMember()),
                        Labels.ROLE_STANDBY)));
    assertThat(client.policy().v1().podDisruptionBudget().inNamespace(NS).withName("alpha").get())
        .isNotNull();
    Role role = client.rbac().roles().inNamespace(NS).withName("alpha-member").get();
    assertThat(role.getRules()).allMatch(r -> !r.getResourceNames().isEmpty());
    assertThat(pods("alpha"))
        .allMatch(p -> p.getSpec().getServiceAccountName().equals("alpha-member"));
    Service service = client.services().inNamespace(NS).withName("alpha").get();
    assertThat(service.getSpec().getSelector()).containsEntry(Labels.ROLE, Labels.ROLE_ACTIVE);
    assertThat(lease("alpha").getSpec().getHolderIdentity()).isEqualTo(status.getActiveMember());
    awaitTrue(
        () -> {
          ConfigMap cm = client.configMaps().inNamespace(NS).withName("demo-bus").get();
          return cm != null
              && cm.getData().get("bus.yaml").contains("name: \"alpha\"")
              && cm.getData().get("bus.yaml").contains("alpha-orders");
        });
    assertThat(condition(status, "Ready")).isEqualTo("True");
    assertThat(condition(status, "HighlyAvailable")).isEqualTo("True");
    assertThat(status.getConditions()).allMatch(c -> c.getObservedGeneration() != null);
    awaitTrue(
        () -> {
          Destination d =
              client.resources(Destination.class).inNamespace(NS).withName("alpha-orders").get();
          return d.getStatus() != null && Long.valueOf(7).equals(d.getStatus().getDepth());
        });
  }

  @Test
  void theBusAggregatesItsEngines() {
    create("mu", 1);
    awaitStatus("mu", s -> "Running".equals(s.getPhase()));
    awaitTrue(
        () -> {
          Bus bus = client.resources(Bus.class).inNamespace(NS).withName("demo").get();
          return bus.getStatus() != null
              && bus.getStatus().getEngines().stream()
                  .anyMatch(e -> e.getName().equals("mu") && "Running".equals(e.getPhase()));
        });
  }

  @Test
  void membersFollowTheWantedNumber() {
    create("beta", 2);
    awaitStatus("beta", s -> "Running".equals(s.getPhase()));
    scale("beta", 3);
    awaitTrue(() -> pods("beta").size() == 3);
    awaitStatus("beta", s -> "3/3".equals(s.getMembersReady()));
    scale("beta", 1);
    awaitTrue(
        () ->
            pods("beta").stream()
                    .filter(p -> p.getMetadata().getDeletionTimestamp() == null)
                    .count()
                == 1);
    awaitStatus("beta", s -> "Running".equals(s.getPhase()) && "1/1".equals(s.getMembersReady()));
  }

  @Test
  void deletingTheActivePodHandsTheLeaseToTheStandbyAndRecordsTheFailover() {
    create("gamma", 2);
    String first = awaitStatus("gamma", s -> "Running".equals(s.getPhase())).getActiveMember();
    client.pods().inNamespace(NS).withName(first).withGracePeriod(0).delete();
    MessagingEngineStatus after =
        awaitStatus(
            "gamma",
            s -> s.getLastFailover() != null && s.getLastFailover().getCompletedAt() != null);
    String second = other("gamma", first);
    assertThat(after.getActiveMember()).isEqualTo(second);
    assertThat(after.getLastFailover().getFrom()).isEqualTo(first);
    assertThat(after.getLastFailover().getTo()).isEqualTo(second);
    assertThat(after.getLastFailover().getReason()).isEqualTo("PodDeleted");
    assertThat(after.getLastFailover().getDurationMs()).isNotNull().isGreaterThanOrEqualTo(0);
    assertThat(lease("gamma").getSpec().getHolderIdentity()).isEqualTo(second);
    awaitTrue(() -> Labels.ROLE_ACTIVE.equals(roles("gamma").get(second)));
    awaitTrue(() -> pods("gamma").size() == 2); // the deleted member is back, as a standby
    assertThat(events("gamma")).contains("FailoverStarted", "FailoverCompleted");
  }

  @Test
  void aGlobalErrorSuppressesFailoverUntilTheClearToken() {
    create("delta", 2);
    String active = awaitStatus("delta", s -> "Running".equals(s.getPhase())).getActiveMember();
    engines.fail(active, "GLOBAL_ERROR", "GLOBAL", "SIBUS1539E");
    MessagingEngineStatus held = awaitStatus("delta", s -> "GlobalError".equals(s.getPhase()));
    assertThat(condition(held, "GlobalError")).isEqualTo("True");
    assertThat(condition(held, "FailoverSuppressed")).isEqualTo("True");
    awaitTrue(
        () ->
            lease("delta").getMetadata().getAnnotations() != null
                && lease("delta")
                    .getMetadata()
                    .getAnnotations()
                    .containsKey(Labels.FAILOVER_SUPPRESSED));
    // The member that found the fault dies: still nobody is activated, and no restart loop.
    client.pods().inNamespace(NS).withName(active).withGracePeriod(0).delete();
    sleep(2500);
    String standby = other("delta", active);
    assertThat(engines.state(standby)).isEqualTo("STANDBY");
    assertThat(status("delta").getActiveMember()).isNull();
    assertThat(events("delta")).contains("FailoverSuppressed", "GlobalError");
    int startsBefore =
        (int) engines.calls().stream().filter(c -> c.startsWith("start delta")).count();

    annotate("delta", MessagingEngine.CLEAR_GLOBAL_ERROR, "fixed-1");
    MessagingEngineStatus cleared = awaitStatus("delta", s -> "Running".equals(s.getPhase()));
    assertThat(cleared.getObservedClearGlobalErrorToken()).isEqualTo("fixed-1");
    assertThat(condition(cleared, "GlobalError")).isEqualTo("False");
    assertThat(lease("delta").getMetadata().getAnnotations())
        .doesNotContainKey(Labels.FAILOVER_SUPPRESSED);
    assertThat(engines.calls().stream().filter(c -> c.startsWith("start delta")).count())
        .isGreaterThan(startsBefore);
    assertThat(events("delta")).contains("GlobalErrorCleared");
  }

  @Test
  void initialStateStoppedStopsTheMembersAndStartedStartsThem() {
    create("epsilon", 2);
    awaitStatus("epsilon", s -> "Running".equals(s.getPhase()));
    edit("epsilon", me -> me.getSpec().setInitialState(MessagingEngineSpec.InitialState.Stopped));
    awaitStatus("epsilon", s -> "Stopped".equals(s.getPhase()));
    awaitTrue(
        () ->
            pods("epsilon").stream()
                .allMatch(p -> "STOPPED".equals(engines.state(p.getMetadata().getName()))));
    assertThat(pods("epsilon")).hasSize(2); // pods stay up
    edit("epsilon", me -> me.getSpec().setInitialState(MessagingEngineSpec.InitialState.Started));
    awaitStatus("epsilon", s -> "Running".equals(s.getPhase()));
  }

  @Test
  void recoveryThenRestartAfterRestoreAreSequencedAndRecordedOnce() {
    create("zeta", 2);
    awaitStatus("zeta", s -> "Running".equals(s.getPhase()));
    edit(
        "zeta",
        me -> {
          me.getMetadata().getAnnotations().put(MessagingEngine.RECOVERY, "r-1");
          me.getMetadata().getAnnotations().put(MessagingEngine.RESTART_AFTER_RESTORE, "f-1");
        });
    MessagingEngineStatus done =
        awaitStatus(
            "zeta",
            s ->
                s.getRestartAfterRestore() != null
                    && "Completed".equals(s.getRestartAfterRestore().getPhase())
                    && "Running".equals(s.getPhase()));
    assertThat(done.getRecovery().getPhase()).isEqualTo("Completed");
    assertThat(done.getRecovery().getObservedToken()).isEqualTo("r-1");
    assertThat(done.getRestartAfterRestore().getObservedToken()).isEqualTo("f-1");
    assertThat(condition(done, "RestartAfterRestore")).isEqualTo("True");
    List<String> zeta = engines.calls().stream().filter(c -> c.contains("zeta")).toList();
    int recovery = indexOf(zeta, "RECOVERY");
    int flush = indexOf(zeta, "RESTART_AFTER_RESTORE");
    assertThat(recovery).isGreaterThanOrEqualTo(0);
    assertThat(flush).isGreaterThan(recovery);
    // the same tokens again act no more
    sleep(2000);
    long flushes =
        engines.calls().stream()
            .filter(c -> c.contains("zeta") && c.endsWith("RESTART_AFTER_RESTORE"))
            .count();
    assertThat(flushes).isEqualTo(1);
    assertThat(events("zeta")).contains("RestartAfterRestoreCompleted", "RecoveryCompleted");
  }

  @Test
  void theServiceLeadsToTheMemberFlushingAfterARestoreWhileItFlushes() {
    create("omicron", 2);
    String active = awaitStatus("omicron", s -> "Running".equals(s.getPhase())).getActiveMember();
    if (active.equals("omicron-0")) {
      // The flush start goes to omicron-0 (no restarts, first name): make omicron-1 the active one.
      client.pods().inNamespace(NS).withName(active).withGracePeriod(0).delete();
      awaitStatus("omicron", s -> "omicron-1".equals(s.getActiveMember()));
      awaitTrue(() -> pods("omicron").size() == 2);
    }
    awaitTrue(() -> Labels.ROLE_ACTIVE.equals(roles("omicron").get("omicron-1")));
    awaitTrue(() -> "STANDBY".equals(engines.state("omicron-0")));
    engines.holdFlush("omicron");
    annotate("omicron", MessagingEngine.RESTART_AFTER_RESTORE, "moved-1");
    awaitTrue(() -> "ACTIVE".equals(engines.state("omicron-0")));
    // Still flushing, and the Service already leads to the member that flushes.
    awaitTrue(
        () ->
            roles("omicron")
                .equals(Map.of("omicron-0", Labels.ROLE_ACTIVE, "omicron-1", Labels.ROLE_STANDBY)));
    assertThat(status("omicron").getRestartAfterRestore().getPhase()).isEqualTo("Flushing");
    engines.releaseFlush("omicron");
    awaitStatus(
        "omicron",
        s ->
            "Completed".equals(s.getRestartAfterRestore().getPhase())
                && "Running".equals(s.getPhase()));
    assertThat(roles("omicron").get("omicron-0")).isEqualTo(Labels.ROLE_ACTIVE);
  }

  @Test
  void reenableStartsDisabledMembers() {
    create("eta", 2);
    String active = awaitStatus("eta", s -> "Running".equals(s.getPhase())).getActiveMember();
    String standby = other("eta", active);
    engines.fail(standby, "DISABLED", "LOCAL", "SIBUS0039E");
    awaitStatus("eta", s -> s.getMembers().stream().anyMatch(m -> "DISABLED".equals(m.getState())));
    annotate("eta", MessagingEngine.REENABLE_MEMBERS, "again-1");
    awaitTrue(() -> "STANDBY".equals(engines.state(standby)));
    // The member is re-enabled before the status that records the token is written.
    awaitStatus("eta", s -> "again-1".equals(s.getObservedReenableMembersToken()));
  }

  @Test
  void aPausedEngineIsLeftAlone() {
    create("theta", 2);
    awaitStatus("theta", s -> "Running".equals(s.getPhase()));
    annotate("theta", MessagingEngine.PAUSE_RECONCILIATION, "true");
    awaitStatus("theta", s -> "True".equals(condition(s, "ReconciliationPaused")));
    client.pods().inNamespace(NS).withName("theta-1").withGracePeriod(0).delete();
    sleep(2000);
    assertThat(pods("theta")).hasSize(1);
    edit(
        "theta",
        me -> me.getMetadata().getAnnotations().remove(MessagingEngine.PAUSE_RECONCILIATION));
    awaitTrue(() -> pods("theta").size() == 2);
  }

  @Test
  void anEngineOfAMissingBusIsNotReadyWithAReason() {
    MessagingEngine me = engine("iota", 1);
    me.getSpec().setBus("nowhere");
    client.resources(MessagingEngine.class).inNamespace(NS).resource(me).create();
    MessagingEngineStatus status =
        awaitStatus("iota", s -> s.getConditions() != null && !s.getConditions().isEmpty());
    assertThat(condition(status, "Ready")).isEqualTo("False");
    assertThat(
            status.getConditions().stream()
                .filter(c -> c.getType().equals("Ready"))
                .findFirst()
                .get()
                .getMessage())
        .contains("Bus nowhere does not exist");
    assertThat(pods("iota")).isEmpty();

    Destination lost = destination("lost", "nobody");
    client.resources(Destination.class).inNamespace(NS).resource(lost).create();
    awaitTrue(
        () -> {
          Destination d =
              client.resources(Destination.class).inNamespace(NS).withName("lost").get();
          return d.getStatus() != null
              && d.getStatus().getConditions().stream()
                  .anyMatch(
                      c ->
                          c.getType().equals("Ready")
                              && c.getStatus().equals("False")
                              && c.getReason().equals("EngineNotFound"));
        });
  }

  @Test
  void deletingAnEngineRemovesWhatTheOperatorMadeAndKeepsTheTables() {
    create("kappa", 2);
    awaitStatus("kappa", s -> "Running".equals(s.getPhase()));
    client.resources(MessagingEngine.class).inNamespace(NS).withName("kappa").delete();
    awaitTrue(
        () ->
            client.resources(MessagingEngine.class).inNamespace(NS).withName("kappa").get()
                == null);
    awaitTrue(() -> pods("kappa").isEmpty());
    assertThat(client.services().inNamespace(NS).withName("kappa").get()).isNull();
    assertThat(lease("kappa")).isNull();
    assertThat(engines.calls()).anyMatch(c -> c.startsWith("stop kappa"));
    assertThat(client.rbac().roles().inNamespace(NS).withName("kappa-member").get()).isNull();
    assertThat(client.policy().v1().podDisruptionBudget().inNamespace(NS).withName("kappa").get())
        .isNull();
    assertThat(events("kappa")).contains("TablesRetained");
    awaitTrue(
        () ->
            !client
                .configMaps()
                .inNamespace(NS)
                .withName("demo-bus")
                .get()
                .getData()
                .get("bus.yaml")
                .contains("kappa"));
  }

  @Test
  void deletingAnEngineWithOnDeleteDropDropsItsTables() throws Exception {
    try (LocalPostgres postgres = LocalPostgres.start(Path.of("target", "operator-pg"))) {
      try (Connection c = postgres.connect();
          Statement statement = c.createStatement()) {
        statement.execute(
            StoreTables.script(StoreTables.createStatements(new SchemaName("sibus_lambda"))));
      }
      client
          .secrets()
          .inNamespace(NS)
          .resource(
              new SecretBuilder()
                  .withNewMetadata()
                  .withName("pg")
                  .withNamespace(NS)
                  .endMetadata()
                  .withData(Map.of("username", base64("postgres"), "password", base64("")))
                  .build())
          .create();
      MessagingEngine me = engine("lambda", 1);
      me.getSpec().getDataStore().setJdbcUrl(postgres.jdbcUrl());
      me.getSpec().getDataStore().setCredentialsSecret("pg");
      me.getSpec().getDataStore().setOnDelete(DataStoreSpec.OnDelete.Drop);
      client.resources(MessagingEngine.class).inNamespace(NS).resource(me).create();
      awaitStatus("lambda", s -> "Running".equals(s.getPhase()));
      client.resources(MessagingEngine.class).inNamespace(NS).withName("lambda").delete();
      awaitTrue(() -> events("lambda").contains("TablesDropped"));
      try (Connection c = postgres.connect();
          Statement statement = c.createStatement();
          var rs =
              statement.executeQuery(
                  "SELECT count(*) FROM pg_namespace WHERE nspname = 'sibus_lambda'")) {
        rs.next();
        assertThat(rs.getInt(1)).isZero();
      }
    }
  }

  private static String base64(String text) {
    return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }

  // --- helpers ---

  private void create(String name, int members) {
    client
        .resources(MessagingEngine.class)
        .inNamespace(NS)
        .resource(engine(name, members))
        .create();
  }

  static MessagingEngine engine(String name, int members) {
    MessagingEngine me = new MessagingEngine();
    me.setMetadata(
        new ObjectMetaBuilder()
            .withName(name)
            .withNamespace(NS)
            .withAnnotations(new HashMap<>())
            .build());
    MessagingEngineSpec spec = new MessagingEngineSpec();
    spec.setBus("demo");
    spec.setMembers(members);
    DataStoreSpec store = new DataStoreSpec();
    store.setJdbcUrl("jdbc:postgresql://127.0.0.1:1/none");
    spec.setDataStore(store);
    me.setSpec(spec);
    return me;
  }

  static Destination destination(String name, String engine) {
    Destination d = new Destination();
    d.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(NS).build());
    DestinationSpec spec = new DestinationSpec();
    spec.setBus("demo");
    spec.setLocalizedOn(engine);
    d.setSpec(spec);
    return d;
  }

  private void scale(String name, int members) {
    edit(name, me -> me.getSpec().setMembers(members));
  }

  private void annotate(String name, String key, String value) {
    edit(name, me -> me.getMetadata().getAnnotations().put(key, value));
  }

  private void edit(String name, java.util.function.Consumer<MessagingEngine> change) {
    // The operator writes the resource meanwhile. An edit made on the version read just before is
    // then refused (409, optimistic concurrency), and a user makes it again on the latest version.
    for (int attempt = 1; ; attempt++) {
      try {
        client
            .resources(MessagingEngine.class)
            .inNamespace(NS)
            .withName(name)
            .edit(
                me -> {
                  if (me.getMetadata().getAnnotations() == null) {
                    me.getMetadata().setAnnotations(new HashMap<>());
                  }
                  change.accept(me);
                  return me;
                });
        return;
      } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
        if (e.getCode() != 409 || attempt == 5) {
          throw e;
        }
      }
    }
  }

  private MessagingEngineStatus status(String name) {
    MessagingEngine me =
        client.resources(MessagingEngine.class).inNamespace(NS).withName(name).get();
    return me == null ? null : me.getStatus();
  }

  private MessagingEngineStatus awaitStatus(
      String name, java.util.function.Predicate<MessagingEngineStatus> condition) {
    MessagingEngineStatus[] found = {null};
    await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(100))
        .ignoreExceptions()
        .until(
            () -> {
              MessagingEngineStatus s = status(name);
              found[0] = s;
              return s != null && condition.test(s);
            });
    return found[0];
  }

  private static void awaitTrue(Callable<Boolean> condition) {
    await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(100))
        .ignoreExceptions()
        .until(condition);
  }

  private List<Pod> pods(String engine) {
    return client.pods().inNamespace(NS).withLabel(Labels.ENGINE, engine).list().getItems();
  }

  private Map<String, String> roles(String engine) {
    Map<String, String> roles = new HashMap<>();
    pods(engine)
        .forEach(
            p ->
                roles.put(p.getMetadata().getName(), p.getMetadata().getLabels().get(Labels.ROLE)));
    return roles;
  }

  private String other(String engine, String member) {
    return member.equals(engine + "-0") ? engine + "-1" : engine + "-0";
  }

  private Lease lease(String engine) {
    return client.leases().inNamespace(NS).withName(engine).get();
  }

  private List<String> events(String name) {
    return client.v1().events().inNamespace(NS).list().getItems().stream()
        .filter(e -> name.equals(e.getInvolvedObject().getName()))
        .map(Event::getReason)
        .toList();
  }

  private static String condition(MessagingEngineStatus status, String type) {
    return status.getConditions().stream()
        .filter(c -> c.getType().equals(type))
        .map(c -> c.getStatus())
        .findFirst()
        .orElse(null);
  }

  private static int indexOf(List<String> calls, String mode) {
    for (int i = 0; i < calls.size(); i++) {
      if (calls.get(i).endsWith(mode)) {
        return i;
      }
    }
    return -1;
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
