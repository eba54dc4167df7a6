package io.sibus.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** send, receive and status against fake members: the HTTP calls and what is printed. */
class EngineCommandsTest {
  private static FakeMember standbyPointingTo(String activeUrl) {
    return new FakeMember(
        request ->
            new FakeMember.Answer(
                503,
                "{\"code\":\"SIBUS0201E\",\"message\":\"not active\",\"activeUrl\":\""
                    + activeUrl
                    + "\"}"));
  }

  @Test
  void sendFollowsTheStandbyToTheActiveMemberAndPrintsEachId() {
    AtomicInteger ids = new AtomicInteger();
    try (FakeMember active =
            new FakeMember(
                request ->
                    new FakeMember.Answer(
                        201, "{\"messageId\":\"m-" + ids.incrementAndGet() + "\"}"));
        FakeMember standby = standbyPointingTo(active.url())) {
      Run run =
          Run.of(
              "send",
              "--url",
              standby.url() + "," + active.url(),
              "--destination",
              "orders",
              "--count",
              "2",
              "--body",
              "hi",
              "--reliability",
              "reliable_persistent",
              "--token",
              "secret");

      assertThat(run.exitCode()).as(run.err()).isZero();
      assertThat(run.out()).isEqualTo("m-1\nm-2\n");
      assertThat(active.requests())
          .extracting(FakeMember.Request::body)
          .containsExactly("hi #1", "hi #2");
      assertThat(active.requests())
          .allSatisfy(
              r -> {
                assertThat(r.path()).isEqualTo("/api/v1/destinations/orders/messages");
                assertThat(r.idempotencyKey()).isNotBlank();
                assertThat(r.auth()).isEqualTo("Bearer secret");
              });
    }
  }

  @Test
  void anEngineErrorIsPrintedAsCodeAndMessageWithExitCodeOne() {
    try (FakeMember member =
        new FakeMember(
            request ->
                new FakeMember.Answer(
                    404,
                    "{\"code\":\"SIBUS0404E\",\"message\":\"Destination nope is unknown.\","
                        + "\"userAction\":\"Check the name.\"}"))) {
      Run run = Run.of("send", "--url", member.url(), "--destination", "nope");

      assertThat(run.exitCode()).isEqualTo(1);
      assertThat(run.out()).isEmpty();
      assertThat(run.err()).isEqualTo("SIBUS0404E: Destination nope is unknown.\n");
    }
  }

  @Test
  void receiveAcknowledgesAndPrintsTheBodies() {
    String first = Base64.getEncoder().encodeToString("one".getBytes(StandardCharsets.UTF_8));
    String second = Base64.getEncoder().encodeToString("two".getBytes(StandardCharsets.UTF_8));
    try (FakeMember member =
        new FakeMember(
            request -> {
              if (request.method().equals("DELETE")) {
                return new FakeMember.Answer(204, null);
              }
              return new FakeMember.Answer(
                  200,
                  request.path().contains("max=2")
                      ? "{\"messages\":[{\"receipt\":\"r1\",\"body\":\""
                          + first
                          + "\"},"
                          + "{\"receipt\":\"r2\",\"body\":\""
                          + second
                          + "\"}]}"
                      : "{\"messages\":[]}");
            })) {
      Run run =
          Run.of(
              "receive",
              "--url",
              member.url(),
              "--destination",
              "orders",
              "--max",
              "2",
              "--wait-ms",
              "0");

      assertThat(run.exitCode()).as(run.err()).isZero();
      assertThat(run.out()).isEqualTo("one\ntwo\n");
      assertThat(member.requests())
          .extracting(r -> r.method() + " " + r.path())
          .containsExactly(
              "POST /api/v1/destinations/orders/receipts?max=2&waitMs=0&lockMs=30000",
              "DELETE /api/v1/destinations/orders/receipts/r1",
              "DELETE /api/v1/destinations/orders/receipts/r2");
    }
  }

  @Test
  void statusPrintsALinePerMemberAndSurvivesAnUnreachableOne() {
    try (FakeMember member =
        new FakeMember(
            request ->
                new FakeMember.Answer(
                    200,
                    "{\"bus\":\"demo\",\"engine\":\"me1\",\"member\":\"me1-0\",\"epoch\":3,"
                        + "\"state\":\"ACTIVE\",\"activeMember\":\"me1-0\",\"lastError\":null}"))) {
      Run run = Run.of("status", "--url", member.url() + ",http://127.0.0.1:1");

      assertThat(run.exitCode()).as(run.err()).isZero();
      assertThat(run.out().lines())
          .hasSize(2)
          .first()
          .isEqualTo(
              member.url()
                  + " bus=demo engine=me1 member=me1-0 state=ACTIVE epoch=3 activeMember=me1-0"
                  + " lastError=-");
      assertThat(run.out().lines().toList().get(1)).startsWith("http://127.0.0.1:1 unreachable: ");
    }
  }

  @Test
  void statusFailsWhenNoMemberAnswers() {
    Run run = Run.of("status", "--url", "http://127.0.0.1:1");

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.err()).isEqualTo("no member of the engine answered\n");
  }
}
