package io.sibus.engine.election;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.sibus.datastore.ErrorClass;
import io.sibus.datastore.StoreException;
import io.sibus.engine.error.ErrorLog;
import io.sibus.engine.lifecycle.MemberStatus;
import io.sibus.engine.store.StoreFailures;
import io.sibus.local.LocalApiServer;
import java.sql.SQLException;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The Kubernetes election against fabric8's test API server in CRUD mode (Leases with optimistic
 * concurrency): two members of one engine, each with its own election, as two pods would have.
 */
class KubernetesElectionTest {
  private static final String NAMESPACE = "test";
  private static final String ENGINE = "me1";

  private LocalApiServer server;
  private boolean serverDown;
  private KubernetesClient admin;
  private final List<KubernetesClient> clients = new ArrayList<>();
  private final List<KubernetesElection> elections = new ArrayList<>();

  @BeforeEach
  void startServer() {
    server = LocalApiServer.start(0);
    admin = client();
  }

  @AfterEach
  void stopServer() {
    elections.forEach(KubernetesElection::standDown);
    clients.forEach(KubernetesClient::close);
    if (!serverDown) {
      server.close();
    }
  }

  @Test
  void onlyOneOfTwoMembersMayTry() {
    Member m0 = member("m0", settings(15, 10, 2));
    Member m1 = member("m1", settings(15, 10, 2));

    assertThat(m0.election.mayTry()).isTrue();
    assertThat(m1.election.mayTry()).isFalse();

    Lease lease = lease();
    assertThat(lease.getSpec().getHolderIdentity()).isEqualTo("m0");
    assertThat(lease.getSpec().getLeaseTransitions()).isEqualTo(1);
    assertThat(lease.getSpec().getLeaseDurationSeconds()).isEqualTo(15);
    // A standby names the holder in its 503 answers.
    assertThat(m1.status.activeMember()).isEqualTo("m0");
    assertThat(m1.status.failoverSuppressed()).isFalse();
  }

  @Test
  void afterTheHolderReleasesTheOtherMayTryAtOnce() {
    Member m0 = member("m0", settings(15, 10, 2));
    Member m1 = member("m1", settings(15, 10, 2));
    assertThat(m0.election.mayTry()).isTrue();
    m0.election.activated(m0.failures);
    assertThat(m1.election.mayTry()).isFalse();

    m0.election.release();

    assertThat(lease().getSpec().getHolderIdentity()).isNull();
    // Well before the 15 s the Lease would take to expire.
    await().atMost(Duration.ofSeconds(2)).until(m1.election::mayTry);
    assertThat(lease().getSpec().getHolderIdentity()).isEqualTo("m1");
    assertThat(lease().getSpec().getLeaseTransitions()).isEqualTo(2);
    assertThat(m0.failures.lost).isEmpty();
  }

  @Test
  void anExpiredHolderIsTakenOver() {
    Member m0 = member("m0", settings(1, 0, 0));
    Member m1 = member("m1", settings(1, 0, 0));
    assertThat(m0.election.mayTry()).isTrue();
    long takenAt = System.nanoTime();
    // m0 never renews (it does not activate): its Lease expires after one second.
    assertThat(m1.election.mayTry()).isFalse();

    await().atMost(Duration.ofSeconds(5)).until(m1.election::mayTry);

    assertThat(Duration.ofNanos(System.nanoTime() - takenAt)).isGreaterThan(Duration.ofMillis(900));
    assertThat(lease().getSpec().getHolderIdentity()).isEqualTo("m1");
    // The old holder learns at its next look that it may no longer try.
    await().atMost(Duration.ofSeconds(1)).until(() -> !m0.election.mayTry());
    assertThat(m0.status.activeMember()).isEqualTo("m1");
  }

  @Test
  void anActiveHolderKeepsItsLeasePastTheLeaseDuration() throws InterruptedException {
    Member m0 = member("m0", settings(1, 0, 0));
    Member m1 = member("m1", settings(1, 0, 0));
    assertThat(m0.election.mayTry()).isTrue();
    m0.election.activated(m0.failures);

    long until = System.nanoTime() + Duration.ofMillis(2500).toNanos();
    while (System.nanoTime() < until) {
      assertThat(m1.election.mayTry()).as("a standby while the holder renews").isFalse();
      Thread.sleep(100);
    }
    assertThat(lease().getSpec().getHolderIdentity()).isEqualTo("m0");
    assertThat(m0.failures.lost).isEmpty();
  }

  @Test
  void aLeaseMarkedFailoverSuppressedIsNeverTaken() throws InterruptedException {
    admin
        .leases()
        .inNamespace(NAMESPACE)
        .resource(
            new LeaseBuilder()
                .withNewMetadata()
                .withName(ENGINE)
                .withNamespace(NAMESPACE)
                .addToAnnotations(EngineLease.FAILOVER_SUPPRESSED, "SIBUS1535E")
                .endMetadata()
                .withNewSpec()
                .withHolderIdentity("m9")
                .withRenewTime(ZonedDateTime.now(ZoneOffset.UTC).minusMinutes(5))
                .withLeaseDurationSeconds(1)
                .endSpec()
                .build())
        .create();
    Member m0 = member("m0", settings(1, 0, 0));

    // Long expired, and still never taken.
    long until = System.nanoTime() + Duration.ofMillis(1500).toNanos();
    while (System.nanoTime() < until) {
      assertThat(m0.election.mayTry()).isFalse();
      Thread.sleep(100);
    }
    assertThat(m0.status.failoverSuppressed()).isTrue();
    assertThat(lease().getSpec().getHolderIdentity()).isEqualTo("m9");

    // The mark, and nothing else, held the member back.
    mergePatch(
        "{\"metadata\": {\"annotations\": {\"" + EngineLease.FAILOVER_SUPPRESSED + "\": null}}}");
    await().atMost(Duration.ofSeconds(2)).until(m0.election::mayTry);
    assertThat(m0.status.failoverSuppressed()).isFalse();
    assertThat(lease().getSpec().getHolderIdentity()).isEqualTo("m0");
  }

  @Test
  void aHolderWhoseLeaseIsHandedToAnotherMemberReportsItLost() {
    Member m0 = member("m0", settings(15, 10, 1));
    Member m1 = member("m1", settings(15, 10, 1));
    assertThat(m0.election.mayTry()).isTrue();
    m0.election.activated(m0.failures);

    // What the operator does to move the engine to a chosen standby.
    mergePatch("{\"spec\": {\"holderIdentity\": \"m1\"}}");

    await().atMost(Duration.ofSeconds(3)).until(() -> !m0.failures.lost.isEmpty());
    StoreException lost = m0.failures.lost.get(0);
    assertThat(lost.errorClass()).isEqualTo(ErrorClass.LOCAL);
    assertThat(lost.code()).isEqualTo("SIBUS0052E");
    assertThat(lost.getMessage()).contains("lost its Lease").contains("m1");
    assertThat(m0.failures.lost).hasSize(1);
    // The chosen standby sees itself as the holder and may try.
    assertThat(m1.election.mayTry()).isTrue();
    // A clean stop of the old holder now leaves the new holder's Lease alone.
    m0.election.release();
    assertThat(lease().getSpec().getHolderIdentity()).isEqualTo("m1");
  }

  @Test
  void renewalsFailingPastTheRenewDeadlineAreReported() throws InterruptedException {
    Member m0 = member("m0", settings(3, 2, 0));
    assertThat(m0.election.mayTry()).isTrue();
    m0.election.activated(m0.failures);
    Thread.sleep(500);
    assertThat(m0.failures.lost).isEmpty();

    long downAt = System.nanoTime();
    server.close(); // the API server becomes unreachable
    serverDown = true;

    await().atMost(Duration.ofSeconds(8)).until(() -> !m0.failures.lost.isEmpty());
    Duration took = Duration.ofNanos(System.nanoTime() - downAt);
    StoreException lost = m0.failures.lost.get(0);
    assertThat(lost.code()).isEqualTo("SIBUS0052E");
    assertThat(lost.getMessage()).contains("lost its Lease").contains("renew deadline");
    // Not before the deadline (counted from the last renewal, at most a retry period earlier)...
    assertThat(took).isGreaterThan(Duration.ofMillis(1200));
    // ... and before the Lease could expire for the other members.
    assertThat(took).isLessThan(Duration.ofSeconds(3));
    assertThat(m0.failures.lost).hasSize(1);
  }

  /**
   * Settings with short durations: {@code renew} and {@code retry} of 0 mean half and a fifth of
   * the lease duration.
   */
  private static LeaseSettings settings(int leaseSeconds, int renewSeconds, int retrySeconds) {
    Duration lease = Duration.ofSeconds(leaseSeconds);
    Duration renew = renewSeconds > 0 ? Duration.ofSeconds(renewSeconds) : lease.dividedBy(2);
    Duration retry = retrySeconds > 0 ? Duration.ofSeconds(retrySeconds) : lease.dividedBy(5);
    return new LeaseSettings(NAMESPACE, ENGINE, lease, renew, retry);
  }

  private Member member(String name, LeaseSettings settings) {
    MemberStatus status = new MemberStatus();
    KubernetesElection election =
        new KubernetesElection(client(), settings, ENGINE, name, status, new ErrorLog());
    elections.add(election);
    return new Member(election, status, new RecordingFailures());
  }

  /** A client of its own per member, failing fast as the engine's is configured to. */
  private KubernetesClient client() {
    KubernetesClient base = server.client();
    KubernetesClient client =
        new KubernetesClientBuilder()
            .withConfig(
                new ConfigBuilder(base.getConfiguration())
                    .withConnectionTimeout(500)
                    .withRequestTimeout(1000)
                    .withRequestRetryBackoffLimit(0)
                    .build())
            .build();
    base.close();
    clients.add(client);
    return client;
  }

  private Lease lease() {
    return leaseResource().get();
  }

  private Resource<Lease> leaseResource() {
    return admin.leases().inNamespace(NAMESPACE).withName(ENGINE);
  }

  /**
   * Changes the Lease as the operator does: a JSON merge patch without a resourceVersion, so it
   * does not race the holder's renewals.
   */
  private void mergePatch(String patch) {
    leaseResource().patch(PatchContext.of(PatchType.JSON_MERGE), patch);
  }

  private record Member(
      KubernetesElection election, MemberStatus status, RecordingFailures failures) {}

  /** What the life cycle would be told. */
  private static final class RecordingFailures implements StoreFailures {
    final List<StoreException> lost = new CopyOnWriteArrayList<>();

    @Override
    public void connectionLost(SQLException cause) {
      throw new AssertionError("not expected", cause);
    }

    @Override
    public void storeFailed(StoreException cause) {
      lost.add(cause);
    }

    @Override
    public void dutyEnded(String duty, Throwable cause) {
      throw new AssertionError("not expected", cause);
    }

    @Override
    public void recovered(String what) {}
  }
}
