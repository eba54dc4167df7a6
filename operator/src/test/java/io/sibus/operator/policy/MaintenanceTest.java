package io.sibus.operator.policy;

import static io.sibus.operator.policy.FailoverPolicyTest.member;
import static org.assertj.core.api.Assertions.assertThat;

import io.sibus.operator.admin.EngineReport;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The seeds' runbook, step by step: each call plans the next step from what is observed. */
class MaintenanceTest {
  private static final Tokens NONE = new Tokens(null, null, null, null, null, null, null, null);

  @Test
  void startedEnginesHaveTheirStoppedMembersStarted() {
    MaintenancePlan plan =
        Maintenance.plan(
            true,
            NONE,
            null,
            null,
            null,
            List.of(member("me-0", "STOPPED"), member("me-1", "STANDBY")));
    assertThat(plan.calls()).containsExactly(new MaintenancePlan.Call("me-0", "start", "NORMAL"));
    assertThat(plan.inProgress()).isFalse();
  }

  @Test
  void initialStateStoppedStopsEveryRunningMember() {
    MaintenancePlan plan =
        Maintenance.plan(
            false,
            NONE,
            null,
            null,
            null,
            List.of(
                member("me-0", "ACTIVE"), member("me-1", "STANDBY"), member("me-2", "STOPPED")));
    assertThat(plan.calls())
        .extracting(MaintenancePlan.Call::member)
        .containsExactly("me-0", "me-1");
    assertThat(plan.calls()).allMatch(c -> c.action().equals("stop"));
  }

  @Test
  void recoveryComesFirstThenRestartAfterRestore() {
    Tokens both = new Tokens("r1", null, "c1", null, null, null, null, null);
    // 1. both tokens are new: everything is stopped first
    MaintenancePlan p1 =
        Maintenance.plan(
            true,
            both,
            null,
            null,
            null,
            List.of(member("me-0", "ACTIVE"), member("me-1", "STANDBY")));
    assertThat(p1.recovery().phase()).isEqualTo("Pending");
    assertThat(p1.restartAfterRestore().phase()).isEqualTo("Pending");
    assertThat(p1.calls()).allMatch(c -> c.action().equals("stop"));
    assertThat(p1.inProgress()).isTrue();
    // 2. all stopped: one member starts in recovery mode and gets the Lease
    Tokens recorded = new Tokens("r1", "r1", "c1", "c1", null, null, null, null);
    MaintenancePlan p2 =
        Maintenance.plan(
            true,
            recorded,
            "Pending",
            "Pending",
            null,
            List.of(member("me-0", "STOPPED"), member("me-1", "STOPPED")));
    assertThat(p2.calls()).containsExactly(new MaintenancePlan.Call("me-0", "start", "RECOVERY"));
    assertThat(p2.leaseHolder()).isEqualTo("me-0");
    assertThat(p2.recovery().phase()).isEqualTo("Recovering");
    // 3. recovery ran and stopped: completed
    MemberView recovered =
        new MemberView(
            "me-0",
            "u",
            true,
            false,
            true,
            true,
            0,
            null,
            null,
            null,
            new EngineReport("STOPPED", "RECOVERY", null, false, null, null, null, false, null));
    MaintenancePlan p3 =
        Maintenance.plan(
            true,
            recorded,
            "Recovering",
            "Pending",
            "me-0",
            List.of(recovered, member("me-1", "STOPPED")));
    assertThat(p3.recovery().phase()).isEqualTo("Completed");
    assertThat(p3.calls()).isEmpty(); // nothing started in normal mode while a restore waits
    // 4. then the flush start
    MaintenancePlan p4 =
        Maintenance.plan(
            true,
            recorded,
            "Completed",
            "Pending",
            null,
            List.of(recovered, member("me-1", "STOPPED")));
    assertThat(p4.calls())
        .containsExactly(new MaintenancePlan.Call("me-0", "start", "RESTART_AFTER_RESTORE"));
    assertThat(p4.restartAfterRestore().phase()).isEqualTo("Flushing");
    // 5. active in restart-after-restore mode: completed; the others start normally afterwards
    MemberView flushed =
        new MemberView(
            "me-0",
            "u",
            true,
            false,
            true,
            true,
            0,
            null,
            null,
            null,
            new EngineReport(
                "ACTIVE", "RESTART_AFTER_RESTORE", null, false, null, null, null, false, null));
    MaintenancePlan p5 =
        Maintenance.plan(
            true,
            recorded,
            "Completed",
            "Flushing",
            "me-0",
            List.of(flushed, member("me-1", "STOPPED")));
    assertThat(p5.restartAfterRestore().phase()).isEqualTo("Completed");
    MaintenancePlan p6 =
        Maintenance.plan(
            true,
            recorded,
            "Completed",
            "Completed",
            null,
            List.of(flushed, member("me-1", "STOPPED")));
    assertThat(p6.calls()).containsExactly(new MaintenancePlan.Call("me-1", "start", "NORMAL"));
  }

  @Test
  void aRestartAfterRestoreCompletesOnlyWhenEveryStreamIsFlushed() {
    Tokens recorded = new Tokens("r1", "r1", null, null, null, null, null, null);
    MemberView flushing =
        new MemberView(
            "me-0",
            "u",
            true,
            false,
            true,
            true,
            0,
            null,
            null,
            null,
            new EngineReport(
                "ACTIVE",
                "RESTART_AFTER_RESTORE",
                null,
                false,
                null,
                null,
                null,
                false,
                "IN_PROGRESS"));
    assertThat(
            Maintenance.plan(true, recorded, null, "Flushing", "me-0", List.of(flushing))
                .restartAfterRestore())
        .isNull();
    MemberView flushed =
        new MemberView(
            "me-0",
            "u",
            true,
            false,
            true,
            true,
            0,
            null,
            null,
            null,
            new EngineReport(
                "ACTIVE",
                "RESTART_AFTER_RESTORE",
                null,
                false,
                null,
                null,
                null,
                false,
                "COMPLETED"));
    assertThat(
            Maintenance.plan(true, recorded, null, "Flushing", "me-0", List.of(flushed))
                .restartAfterRestore()
                .phase())
        .isEqualTo("Completed");
  }

  @Test
  void aFlushStartThatDidNotTakeIsMadeAgain() {
    Tokens recorded = new Tokens("r1", "r1", null, null, null, null, null, null);
    List<MemberView> stopped = List.of(member("me-0", "STOPPED"), member("me-1", "STOPPED"));
    MaintenancePlan noticed = Maintenance.plan(true, recorded, null, "Flushing", "me-0", stopped);
    assertThat(noticed.restartAfterRestore().phase()).isEqualTo("Pending");
    assertThat(noticed.restartAfterRestore().message()).contains("me-0 stopped");
    MaintenancePlan again = Maintenance.plan(true, recorded, null, "Pending", null, stopped);
    assertThat(again.calls())
        .containsExactly(new MaintenancePlan.Call("me-0", "start", "RESTART_AFTER_RESTORE"));
    assertThat(again.restartAfterRestore().phase()).isEqualTo("Flushing");
  }

  @Test
  void aRecoveryStartThatDidNotTakeIsMadeAgain() {
    Tokens recorded = new Tokens(null, null, "c1", "c1", null, null, null, null);
    List<MemberView> stopped = List.of(member("me-0", "STOPPED"), member("me-1", "STOPPED"));
    MaintenancePlan noticed = Maintenance.plan(true, recorded, "Recovering", null, "me-0", stopped);
    assertThat(noticed.recovery().phase()).isEqualTo("Pending");
    assertThat(noticed.recovery().message()).contains("me-0 did not start its recovery");
    MaintenancePlan again = Maintenance.plan(true, recorded, "Pending", null, null, stopped);
    assertThat(again.calls())
        .containsExactly(new MaintenancePlan.Call("me-0", "start", "RECOVERY"));
    assertThat(again.recovery().phase()).isEqualTo("Recovering");
  }

  @Test
  void whileARestoreRunsTheServiceLeadsToTheMemberServingUnlessItIsBeingStopped() {
    Tokens fresh = new Tokens("r1", null, null, null, null, null, null, null);
    MaintenancePlan stopping =
        Maintenance.plan(
            true,
            fresh,
            null,
            null,
            null,
            List.of(member("me-0", "STOPPED"), member("me-1", "ACTIVE")));
    assertThat(stopping.calls()).contains(new MaintenancePlan.Call("me-1", "stop", null));
    assertThat(stopping.serving()).isNull();
    Tokens recorded = new Tokens("r1", "r1", null, null, null, null, null, null);
    MaintenancePlan flushing =
        Maintenance.plan(
            true,
            recorded,
            null,
            "Flushing",
            "me-0",
            List.of(member("me-0", "ACTIVE"), member("me-1", "STOPPED")));
    assertThat(flushing.inProgress()).isTrue();
    assertThat(flushing.serving()).isEqualTo("me-0");
  }

  @Test
  void aTokenActsOnceAndWaitsWhileTheEngineIsStopped() {
    Tokens seen = new Tokens("r1", "r1", null, null, null, null, null, null);
    assertThat(
            Maintenance.plan(true, seen, null, "Completed", null, List.of(member("me-0", "ACTIVE")))
                .calls())
        .isEmpty();
    Tokens fresh = new Tokens("r2", "r1", null, null, null, null, null, null);
    MaintenancePlan stopped =
        Maintenance.plan(false, fresh, null, "Completed", null, List.of(member("me-0", "STOPPED")));
    assertThat(stopped.restartAfterRestore().phase()).isEqualTo("Pending");
    assertThat(stopped.calls()).isEmpty();
  }

  @Test
  void aFailedFlushStartIsReportedWithTheEnginesError() {
    Tokens recorded = new Tokens("r1", "r1", null, null, null, null, null, null);
    MemberView failed =
        new MemberView(
            "me-0",
            "u",
            true,
            false,
            true,
            false,
            0,
            null,
            null,
            null,
            new EngineReport(
                "GLOBAL_ERROR",
                "RESTART_AFTER_RESTORE",
                null,
                true,
                "GLOBAL",
                "SIBUS1539E",
                "bad row",
                false,
                null));
    MaintenancePlan plan =
        Maintenance.plan(true, recorded, null, "Flushing", "me-0", List.of(failed));
    assertThat(plan.restartAfterRestore().phase()).isEqualTo("Failed");
    assertThat(plan.restartAfterRestore().message()).contains("SIBUS1539E");
  }

  @Test
  void clearingAGlobalErrorLiftsTheSuppressionAndStartsTheMembersHeldBack() {
    Tokens clear = new Tokens(null, null, null, null, "x1", null, null, null);
    MemberView held =
        new MemberView(
            "me-1",
            "u",
            true,
            false,
            true,
            true,
            0,
            null,
            null,
            null,
            new EngineReport("STANDBY", "NORMAL", null, true, null, null, null, false, null));
    MaintenancePlan plan =
        Maintenance.plan(
            true, clear, null, null, null, List.of(FailoverPolicyTest.global("me-0"), held));
    assertThat(plan.liftSuppression()).isTrue();
    assertThat(plan.clearedGlobalErrorToken()).isEqualTo("x1");
    assertThat(plan.calls())
        .extracting(MaintenancePlan.Call::member)
        .containsExactly("me-0", "me-1");
    Tokens again = new Tokens(null, null, null, null, "x1", "x1", null, null);
    assertThat(
            Maintenance.plan(
                    true, again, null, null, null, List.of(FailoverPolicyTest.global("me-0")))
                .liftSuppression())
        .isFalse();
  }

  @Test
  void reenablingStartsDisabledMembers() {
    Tokens reenable = new Tokens(null, null, null, null, null, null, "e1", null);
    MaintenancePlan plan =
        Maintenance.plan(
            true,
            reenable,
            null,
            null,
            null,
            List.of(member("me-0", "DISABLED"), member("me-1", "ACTIVE")));
    assertThat(plan.calls()).containsExactly(new MaintenancePlan.Call("me-0", "start", "NORMAL"));
    assertThat(plan.reenabledToken()).isEqualTo("e1");
  }
}
