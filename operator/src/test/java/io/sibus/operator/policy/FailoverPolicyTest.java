package io.sibus.operator.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.sibus.operator.admin.EngineReport;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The failover policy as a table: observed members and Lease in, decision out. */
class FailoverPolicyTest {
  @Test
  void anActiveMemberIsKept() {
    Decision d =
        FailoverPolicy.decide(
            List.of(member("me-0", "ACTIVE"), member("me-1", "STANDBY")), "me-0", false);
    assertThat(d.kind()).isEqualTo(Decision.Kind.KEEP);
    assertThat(d.to()).isEqualTo("me-0");
  }

  @Test
  void aDeletedHolderLosesTheLeaseToTheHealthiestStandby() {
    MemberView restarted = withRestarts(member("me-1", "STANDBY"), 3);
    Decision d =
        FailoverPolicy.decide(List.of(restarted, member("me-2", "STANDBY")), "me-0", false);
    assertThat(d.kind()).isEqualTo(Decision.Kind.FAIL_OVER);
    assertThat(d.from()).isEqualTo("me-0");
    assertThat(d.to()).isEqualTo("me-2");
    assertThat(d.reason()).isEqualTo("PodDeleted");
  }

  @Test
  void aHolderThatExitedWithALocalErrorIsFailedOver() {
    MemberView exited =
        new MemberView(
            "me-0",
            "u",
            true,
            false,
            false,
            false,
            1,
            10,
            "LOCAL",
            "SIBUS0052E",
            EngineReport.UNREACHABLE);
    Decision d = FailoverPolicy.decide(List.of(exited, member("me-1", "STANDBY")), "me-0", false);
    assertThat(d.kind()).isEqualTo(Decision.Kind.FAIL_OVER);
    assertThat(d.reason()).isEqualTo("LocalError");
    assertThat(d.detail()).isEqualTo("SIBUS0052E");
  }

  @Test
  void aTerminatingHolderIsFailedOverWithoutWaiting() {
    MemberView deleting =
        new MemberView("me-0", "u", true, true, true, true, 0, null, null, null, report("ACTIVE"));
    Decision d = FailoverPolicy.decide(List.of(deleting, member("me-1", "STANDBY")), "me-0", false);
    assertThat(d.kind()).isEqualTo(Decision.Kind.FAIL_OVER);
    assertThat(d.reason()).isEqualTo("PodDeleting");
  }

  @Test
  void aGlobalErrorSuppressesFailoverEvenWhenTheMemberDies() {
    Decision reported =
        FailoverPolicy.decide(List.of(global("me-0"), member("me-1", "STANDBY")), "me-0", false);
    assertThat(reported.kind()).isEqualTo(Decision.Kind.SUPPRESS);
    assertThat(reported.detail()).isEqualTo("SIBUS1539E");
    MemberView exitedGlobal =
        new MemberView(
            "me-0",
            "u",
            true,
            false,
            false,
            false,
            1,
            10,
            "GLOBAL",
            "SIBUS1535E",
            EngineReport.UNREACHABLE);
    assertThat(
            FailoverPolicy.decide(List.of(exitedGlobal, member("me-1", "STANDBY")), "me-0", false)
                .kind())
        .isEqualTo(Decision.Kind.SUPPRESS);
    assertThat(FailoverPolicy.decide(List.of(member("me-1", "STANDBY")), "me-0", true).kind())
        .as("a suppressed Lease, the member that found the fault gone")
        .isEqualTo(Decision.Kind.SUPPRESS);
  }

  @Test
  void aLiveHolderTakingOverIsWaitedFor() {
    Decision d =
        FailoverPolicy.decide(
            List.of(member("me-0", "STANDBY"), member("me-1", "STANDBY")), "me-1", false);
    assertThat(d.kind()).isEqualTo(Decision.Kind.WAIT);
    assertThat(d.reason()).isEqualTo("ActivationInProgress");
  }

  @Test
  void withoutAHolderTheFirstStandbyIsActivated() {
    Decision d =
        FailoverPolicy.decide(
            List.of(member("me-1", "STANDBY"), member("me-0", "STANDBY")), null, false);
    assertThat(d.kind()).isEqualTo(Decision.Kind.FAIL_OVER);
    assertThat(d.from()).isNull();
    assertThat(d.to()).isEqualTo("me-0");
    assertThat(d.reason()).isEqualTo("NoActiveMember");
  }

  @Test
  void disabledOrStoppedMembersAreNeverChosen() {
    Decision d =
        FailoverPolicy.decide(
            List.of(member("me-0", "DISABLED"), member("me-1", "STOPPED")), "me-9", false);
    assertThat(d.kind()).isEqualTo(Decision.Kind.WAIT);
    assertThat(d.reason()).isEqualTo("NoStandbyReady");
    assertThat(d.disabled()).containsExactly("me-0");
  }

  @Test
  void aDisabledHolderIsReplaced() {
    Decision d =
        FailoverPolicy.decide(
            List.of(member("me-0", "DISABLED"), member("me-1", "STANDBY")), "me-0", false);
    assertThat(d.kind()).isEqualTo(Decision.Kind.FAIL_OVER);
    assertThat(d.reason()).isEqualTo("MemberDisabled");
  }

  static MemberView member(String name, String state) {
    return new MemberView(
        name, "http://" + name, true, false, true, true, 0, null, null, null, report(state));
  }

  static EngineReport report(String state) {
    return new EngineReport(state, "NORMAL", null, false, null, null, null, false, null);
  }

  static MemberView global(String name) {
    return new MemberView(
        name,
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
            "NORMAL",
            name,
            true,
            "GLOBAL",
            "SIBUS1539E",
            "corrupted",
            false,
            null));
  }

  static MemberView withRestarts(MemberView m, int restarts) {
    return new MemberView(
        m.name(),
        m.url(),
        m.podExists(),
        m.deleting(),
        m.running(),
        m.ready(),
        restarts,
        m.lastExitCode(),
        m.terminationClass(),
        m.terminationCode(),
        m.report());
  }
}
