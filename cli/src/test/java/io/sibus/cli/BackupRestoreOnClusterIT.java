package io.sibus.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.sibus.cli.backup.Archive;
import io.sibus.cli.backup.Manifest;
import io.sibus.crds.v1alpha1.Destination;
import io.sibus.crds.v1alpha1.MessagingEngine;
import io.sibus.crds.v1alpha1.MessagingEngineStatus;
import io.sibus.local.DeliveryLedger;
import io.sibus.local.EngineClient;
import io.sibus.local.EngineClient.Outgoing;
import io.sibus.local.LoadRunner;
import io.sibus.local.MemberSetClient;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code sibus backup} and {@code sibus restore} of a bus on Kubernetes (the local cluster of
 * {@code sibus up}: operator, engines as pods, PostgreSQL as a pod): the restore stops every engine
 * through {@code initialState}, restores the stores, re-applies the resources of the backup and
 * restarts every engine through {@code sibus.io/restart-after-restore}, counted.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BackupRestoreOnClusterIT {
  private static final Path HOME =
      Path.of(System.getProperty("sibus.home", "..")).toAbsolutePath().normalize();
  private static final Pattern ENGINE = Pattern.compile("(?m)^engine (\\S+): (http://\\S+)$");

  Path work;
  ClusterUp up;
  String kubeconfig;
  Map<String, String> engines = new LinkedHashMap<>();

  @BeforeAll
  void startTheSampleBus() throws IOException {
    work = HOME.resolve("cli/target/backup-on-cluster-" + System.currentTimeMillis());
    StringWriter printed = new StringWriter();
    up = new ClusterUp(HOME, work, new PrintWriter(printed, true));
    up.start(Duration.ofMinutes(4));
    kubeconfig = ClusterUp.kubeconfig(work).toString();
    Matcher m = ENGINE.matcher(printed.toString());
    while (m.find()) {
      engines.put(m.group(1), m.group(2));
    }
    assertThat(engines).as(printed.toString()).containsOnlyKeys("me1", "me2");
  }

  @AfterAll
  void stop() {
    if (up != null) {
      up.stop();
    }
  }

  @Test
  void aRestoreOnKubernetesBringsBackWhatWasQueuedAndLosesNothingAfterwards(@TempDir Path backups)
      throws Exception {
    EngineClient me1 = new EngineClient(engines.get("me1"));
    EngineClient me2 = new EngineClient(engines.get("me2"));
    List<String> queued = send(me1, "shipments", "pre", 30); // crosses over to me2
    await().atMost(Duration.ofSeconds(60)).until(() -> me2.depth("shipments") >= 30);

    // The backup is taken under cross-engine load: sends wait for the snapshot, then go on.
    LoadRunner during =
        new LoadRunner(
                "shipments",
                "ASSURED_PERSISTENT",
                () -> new MemberSetClient(List.of(engines.get("me1")), null),
                () -> new MemberSetClient(List.of(engines.get("me2")), null))
            .keyPrefix("during-")
            .start(2, 0, Duration.ofMillis(10));
    Thread.sleep(1000);
    Run backup =
        Run.of("backup", "--bus", "demo", "--to", backups.toString(), "--kubeconfig", kubeconfig);
    Thread.sleep(1000);
    during.close();
    System.out.println(backup.out());
    assertThat(backup.exitCode()).as(backup.out() + backup.err()).isZero();
    assertThat(backup.out()).contains("sends waited").contains("streams settled");
    Path archive = Files.list(backups).findFirst().orElseThrow();
    long inBackup =
        new Archive(archive).manifest().engine("me2").messages.getOrDefault("shipments", 0L);
    assertThat(inBackup).isGreaterThan(queued.size());
    assertThat(Files.readString(archive.resolve("config/resources.yaml")))
        .contains("kind: \"MessagingEngine\"")
        .contains("kind: \"Destination\"");

    send(me1, "shipments", "post", 10); // acknowledged after the backup: cannot come back
    try (KubernetesClient client = client()) {
      client
          .resources(io.sibus.crds.v1alpha1.Bus.class)
          .inNamespace(ClusterUp.NAMESPACE)
          .withName("demo")
          .patch(
              io.fabric8.kubernetes.client.dsl.base.PatchContext.of(
                  io.fabric8.kubernetes.client.dsl.base.PatchType.JSON_MERGE),
              "{\"spec\":{\"description\":\"changed after the backup\"}}");
      client
          .resources(Destination.class)
          .inNamespace(ClusterUp.NAMESPACE)
          .withName("shipments")
          .patch(
              io.fabric8.kubernetes.client.dsl.base.PatchContext.of(
                  io.fabric8.kubernetes.client.dsl.base.PatchType.JSON_MERGE),
              "{\"spec\":{\"maxDepth\":100000}}");
    }
    try (KubernetesClient client = client()) {
      client
          .resource(Resources.destination("audit", "me2"))
          .inNamespace(ClusterUp.NAMESPACE)
          .create();
    }
    await()
        .atMost(Duration.ofSeconds(60))
        .ignoreExceptions()
        .until(() -> me2.send("audit", new Outgoing("x")).status() == 201);
    send(me2, "audit", "audit", 4);

    Map<String, String> beforeDryRun = specsAndAnnotations();
    Run dryRun = restore(backups, "--dry-run");
    System.out.println(dryRun.out());
    assertThat(dryRun.exitCode()).as(dryRun.out() + dryRun.err()).isZero();
    assertThat(dryRun.out())
        .contains("Destination audit (created after the backup) is deleted")
        .contains(
            "Bus demo: spec.description goes back from changed after the backup to The sample bus of sibus")
        .contains(
            "Destination shipments: spec.maxDepth (set to 100000 after the backup) is removed")
        .contains("would be restored")
        .doesNotContain("stopped (initialState: Stopped)");
    assertThat(specsAndAnnotations()).as("a dry run changes nothing").isEqualTo(beforeDryRun);
    assertThat(me2.depth("audit")).isEqualTo(5);

    // The restart after restore starts each engine on its first member; the Services must follow
    // it even where the other member was the active one.
    makeTheSecondMembersActive();
    Run restore = restore(backups);
    System.out.println(restore.out());
    assertThat(restore.exitCode()).as(restore.out() + restore.err()).isZero();
    assertThat(restore.out())
        .contains("engine me1 stopped (initialState: Stopped)")
        .contains("destination audit (created after the backup) is removed")
        .contains("destination audit deleted")
        .contains(
            "Bus demo: spec.description goes back from changed after the backup to The sample bus of sibus")
        .containsPattern(
            "me2: \\d+ message\\(s\\) on shipments sent after the backup are not brought back")
        .contains("engine me1 started, flush of all delivery streams completed (SIBUS0783I)")
        .contains("engine me2 started, flush of all delivery streams completed (SIBUS0783I)");
    try (KubernetesClient client = client()) {
      assertThat(
              client
                  .resources(Destination.class)
                  .inNamespace(ClusterUp.NAMESPACE)
                  .withName("audit")
                  .get())
          .isNull();
      assertThat(
              client
                  .genericKubernetesResources("sibus.io/v1alpha1", "Destination")
                  .inNamespace(ClusterUp.NAMESPACE)
                  .withName("shipments")
                  .get()
                  .getAdditionalProperties()
                  .get("spec"))
          .as("a field set after the backup is gone")
          .asString()
          .doesNotContain("maxDepth");
    }

    // What was queued at backup time, all of it (the sends before, and those of the load that were
    // in when the snapshot was taken), once each.
    Map<String, Integer> shipments = me2.drain("shipments");
    assertThat(shipments.keySet()).containsAll(queued).doesNotContain("post0");
    assertThat(shipments).hasSize((int) inBackup);
    assertThat(shipments.values()).allMatch(n -> n == 1);
    JsonNode kept = me2.receive("_SYSTEM.Exception.me2", 10, 1000, 30_000).json().get("messages");
    assertThat(kept).hasSize(5); // the audit messages and the probe: kept with the reason
    assertThat(kept)
        .allSatisfy(
            m ->
                assertThat(m.get("properties").get("sibus.exception.reason").asText())
                    .contains("not in the restored configuration"));

    LoadRunner load =
        new LoadRunner(
                "shipments",
                "ASSURED_PERSISTENT",
                () -> new MemberSetClient(List.of(engines.get("me1")), null),
                () -> new MemberSetClient(List.of(engines.get("me2")), null))
            .start(3, 1, Duration.ofMillis(5));
    Thread.sleep(4000);
    DeliveryLedger.Report report = load.finish(Duration.ofSeconds(60));
    System.out.println("BackupRestoreOnClusterIT after the restore: " + report);
    assertThat(report.acknowledged()).isGreaterThan(50);
    assertThat(report.lost()).isEmpty();
    assertThat(report.duplicated()).isEmpty();
  }

  @Test
  void restartAfterRestoreOfOneEngineWaitsForItsFlush() {
    Run run = Run.of("restart-after-restore", "me1", "--kubeconfig", kubeconfig);
    assertThat(run.exitCode()).as(run.out() + run.err()).isZero();
    assertThat(run.out())
        .contains("engine me1: restart after restore Completed")
        .contains("SIBUS0783I");
    Run unknown = Run.of("restart-after-restore", "nosuch", "--kubeconfig", kubeconfig);
    assertThat(unknown.exitCode()).isEqualTo(1);
    assertThat(unknown.err().trim()).isEqualTo("no MessagingEngine nosuch on the cluster");
  }

  @Test
  void aDamagedOrForeignArchiveIsRefusedAndNothingChanges(@TempDir Path backups) throws Exception {
    EngineClient me2 = new EngineClient(engines.get("me2"));
    send(new EngineClient(engines.get("me1")), "shipments", "damaged", 3);
    await().atMost(Duration.ofSeconds(60)).until(() -> me2.depth("shipments") >= 3);
    backUp(backups);
    Path archive = Files.list(backups).findFirst().orElseThrow();
    Map<String, String> before = specsAndAnnotations();

    Path store = archive.resolve("engines/me2/sibus_message.copy");
    assertThat(Files.size(store)).as("a store file with rows to damage").isPositive();
    ArchiveDamage.flipByte(store);
    assertRefused(archive, "demo", "does not match its checksum");
    ArchiveDamage.flipByte(store); // back as it was
    Path resources = archive.resolve("config/resources.yaml");
    Path aside = archive.resolveSibling("resources.aside");
    Files.move(resources, aside);
    assertRefused(archive, "demo", "is missing");
    Files.move(aside, resources);
    Archive foreign = new Archive(archive);
    Manifest manifest = foreign.manifest();
    manifest.bus = "otherbus"; // as if taken of another bus
    foreign.write(manifest);
    assertRefused(archive, "demo", "it is a backup of bus 'otherbus', not of bus 'demo'");

    assertThat(specsAndAnnotations()).as("nothing changed").isEqualTo(before);
    for (String engine : engines.keySet()) {
      assertThat(new EngineClient(engines.get(engine)).engine().text("state"))
          .as(engine)
          .isEqualTo("ACTIVE");
    }
  }

  @Test
  void aRestoreKilledInTheMiddleAndRunAgainEndsAsAnUninterruptedOne(@TempDir Path backups)
      throws Exception {
    EngineClient me1 = new EngineClient(engines.get("me1"));
    EngineClient me2 = new EngineClient(engines.get("me2"));
    me2.drain("shipments"); // what earlier tests left
    List<String> queued = send(me1, "shipments", "k", 20);
    await().atMost(Duration.ofSeconds(60)).until(() -> me2.depth("shipments") >= 20);
    backUp(backups);
    Map<String, String> asBackedUp = specs();
    send(me1, "shipments", "after", 5);

    Map<String, String> tokensBefore = restartTokens();
    Path log = backups.resolveSibling(backups.getFileName() + "-restore-1.log");
    Process first =
        new ProcessBuilder(
                "java",
                "-jar",
                Path.of("target", "sibus-cli.jar").toAbsolutePath().toString(),
                "restore",
                "--bus",
                "demo",
                "--from",
                backups.toString(),
                "--kubeconfig",
                kubeconfig)
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    try {
      // Killed once the stores are restored and every engine carries the first run's token.
      await()
          .atMost(Duration.ofMinutes(3))
          .until(
              () ->
                  restartTokens().entrySet().stream()
                      .allMatch(
                          t ->
                              t.getValue() != null
                                  && !t.getValue().equals(tokensBefore.get(t.getKey()))));
    } finally {
      first.destroyForcibly().waitFor();
    }
    System.out.println("the restore killed at:\n" + Files.readString(log));

    Run again = restore(backups);
    System.out.println(again.out());
    assertThat(again.exitCode()).as(again.out() + again.err()).isZero();
    assertThat(again.out())
        .contains("engine me1 started, flush of all delivery streams completed (SIBUS0783I)")
        .contains("engine me2 started, flush of all delivery streams completed (SIBUS0783I)");
    assertThat(specs()).as("the resources of the backup, initialState back").isEqualTo(asBackedUp);
    Map<String, Integer> shipments = me2.drain("shipments");
    assertThat(shipments.keySet()).containsExactlyInAnyOrderElementsOf(queued);
    assertThat(shipments.values()).allMatch(n -> n == 1);
  }

  /** Deletes each engine's first pod where it is the active member, and waits for the failover. */
  private void makeTheSecondMembersActive() throws IOException {
    try (KubernetesClient client = client()) {
      for (String engine : engines.keySet()) {
        if ((engine + "-0").equals(activeMember(client, engine))) {
          client.pods().inNamespace(ClusterUp.NAMESPACE).withName(engine + "-0").delete();
        }
      }
      for (String engine : engines.keySet()) {
        await()
            .atMost(Duration.ofMinutes(2))
            .ignoreExceptions()
            .until(
                () ->
                    (engine + "-1").equals(activeMember(client, engine))
                        && "2/2".equals(status(client, engine).getMembersReady())
                        && new EngineClient(engines.get(engine))
                            .engine()
                            .text("state")
                            .equals("ACTIVE"));
      }
    }
  }

  private static String activeMember(KubernetesClient client, String engine) {
    return status(client, engine).getActiveMember();
  }

  private static MessagingEngineStatus status(KubernetesClient client, String engine) {
    return client
        .resources(MessagingEngine.class)
        .inNamespace(ClusterUp.NAMESPACE)
        .withName(engine)
        .get()
        .getStatus();
  }

  /** The restart-after-restore token of each engine (null when it has none). */
  private Map<String, String> restartTokens() throws IOException {
    Map<String, String> tokens = new TreeMap<>();
    try (KubernetesClient client = client()) {
      for (MessagingEngine me :
          client
              .resources(MessagingEngine.class)
              .inNamespace(ClusterUp.NAMESPACE)
              .list()
              .getItems()) {
        Map<String, String> annotations = me.getMetadata().getAnnotations();
        tokens.put(
            me.getMetadata().getName(),
            annotations == null ? null : annotations.get(MessagingEngine.RESTART_AFTER_RESTORE));
      }
    }
    return tokens;
  }

  private void backUp(Path backups) {
    Run backup =
        Run.of("backup", "--bus", "demo", "--to", backups.toString(), "--kubeconfig", kubeconfig);
    assertThat(backup.exitCode()).as(backup.out() + backup.err()).isZero();
  }

  private Run restore(Path backups, String... more) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "restore",
                "--bus",
                "demo",
                "--from",
                backups.toString(),
                "--kubeconfig",
                kubeconfig));
    args.addAll(List.of(more));
    return Run.of(args.toArray(String[]::new));
  }

  private void assertRefused(Path archive, String bus, String reason) {
    Run refused =
        Run.of("restore", "--bus", bus, "--from", archive.toString(), "--kubeconfig", kubeconfig);
    assertThat(refused.exitCode()).as(refused.out()).isEqualTo(1);
    assertThat(refused.err()).contains("refused").contains("nothing was changed").contains(reason);
  }

  /** The spec of every resource of the bus, by kind and name. */
  private Map<String, String> specs() throws IOException {
    return resourceFields(false);
  }

  /** The spec and annotations of every resource (status changes on its own; these do not). */
  private Map<String, String> specsAndAnnotations() throws IOException {
    return resourceFields(true);
  }

  private Map<String, String> resourceFields(boolean withAnnotations) throws IOException {
    Map<String, String> fields = new TreeMap<>();
    try (KubernetesClient client = client()) {
      for (String kind : List.of("Bus", "MessagingEngine", "Destination")) {
        for (GenericKubernetesResource r :
            client
                .genericKubernetesResources("sibus.io/v1alpha1", kind)
                .inNamespace(ClusterUp.NAMESPACE)
                .list()
                .getItems()) {
          fields.put(
              kind + "/" + r.getMetadata().getName(),
              r.getAdditionalProperties().get("spec")
                  + (withAnnotations ? " " + r.getMetadata().getAnnotations() : ""));
        }
      }
    }
    return fields;
  }

  private KubernetesClient client() throws IOException {
    return new KubernetesClientBuilder()
        .withConfig(Config.fromKubeconfig(Files.readString(Path.of(kubeconfig))))
        .build();
  }

  private static List<String> send(EngineClient client, String destination, String prefix, int n)
      throws IOException {
    List<String> bodies = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      String body = prefix + i;
      assertThat(client.send(destination, new Outgoing(body)).status()).isEqualTo(201);
      bodies.add(body);
    }
    return bodies;
  }

  /** A destination resource, as a user would apply it. */
  private static final class Resources {
    static Destination destination(String name, String engine) {
      Destination d = new Destination();
      d.getMetadata().setName(name);
      d.getMetadata().setNamespace(ClusterUp.NAMESPACE);
      d.setSpec(new io.sibus.crds.v1alpha1.DestinationSpec());
      d.getSpec().setBus("demo");
      d.getSpec().setLocalizedOn(engine);
      return d;
    }
  }
}
