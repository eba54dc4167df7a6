package io.sibus.engine.bus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sibus.datastore.Reliability;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class BusTopologyParserTest {
  @Test
  void theContractExampleParses() {
    BusTopology bus =
        BusTopologyParser.parse(
            """
            bus: demo
            secret: change-me
            dedupWindow: 24h
            engines:
              - name: me1
                urls: [http://127.0.0.1:8081, http://127.0.0.1:8082]
              - name: me2
                urls: [http://127.0.0.1:8083]
            destinations:
              - name: orders
                type: Queue
                localizedOn: me2
                defaultReliability: ASSURED_PERSISTENT
                maxRedeliveries: 5
            """);
    assertThat(bus.bus()).isEqualTo("demo");
    assertThat(bus.dedupWindow()).isEqualTo(Duration.ofHours(24));
    assertThat(bus.engine("me1").orElseThrow().urls()).hasSize(2);
    BusTopology.DestinationDef orders = bus.destination("orders").orElseThrow();
    assertThat(orders.localizedOn()).isEqualTo("me2");
    assertThat(orders.defaultReliability()).isEqualTo(Reliability.ASSURED_PERSISTENT);
    assertThat(orders.maxRedeliveries()).isEqualTo(5);
  }

  @Test
  void defaultsApplyAndASingleEngineOwnsUnlocalizedDestinations() {
    BusTopology bus =
        BusTopologyParser.parse("engines: [{name: me1}]\ndestinations: [{name: q}]\n");
    BusTopology.DestinationDef q = bus.destination("q").orElseThrow();
    assertThat(q.localizedOn()).isEqualTo("me1");
    assertThat(q.maxRedeliveries()).isEqualTo(5);
    assertThat(bus.dedupWindow()).isEqualTo(BusTopology.DEFAULT_DEDUP_WINDOW);
    assertThat(BusTopologyParser.parse("dedupWindow: 0").dedupWindow()).isZero();
  }

  @Test
  void everyProblemIsNamed() {
    assertThatThrownBy(
            () ->
                BusTopologyParser.parse(
                    """
                    dedupWindow: soon
                    engines:
                      - {name: me1, urls: ["http://a:8080", "http://a b:8080", "ftp://a"]}
                      - {name: me2, urls: ["HTTPS://b.svc:8443", "b:8080", null]}
                      - {name: me5, urls: null}
                    destinations:
                      - {name: q, localizedOn: me3}
                      - {name: q, localizedOn: me1, defaultReliability: MAYBE}
                      - {name: "_SYSTEM.x", localizedOn: me1}
                      - {name: "bad name", localizedOn: me1}
                      - {name: r, localizedOn: me1, maxRedeliveries: -1}
                    """))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("destinations[0].localizedOn must name an engine")
        .hasMessageContaining("'q' is listed twice")
        .hasMessageContaining("'MAYBE' is not a level")
        .hasMessageContaining("destinations[2].name is missing or not a valid name")
        .hasMessageContaining("destinations[3].name")
        .hasMessageContaining("maxRedeliveries must be 0 or more")
        .hasMessageContaining("dedupWindow 'soon'")
        .hasMessageContaining("engines[0].urls[1] 'http://a b:8080' is not an http or https URL")
        .hasMessageContaining("engines[0].urls[2] 'ftp://a'")
        .hasMessageContaining("engines[1].urls[1] 'b:8080'")
        .hasMessageContaining("engines[1].urls[2] 'null'")
        .message()
        .doesNotContain("'http://a:8080'")
        .doesNotContain("'HTTPS://b.svc:8443'");
  }

  @Test
  void brokenYamlIsRefused() {
    assertThatThrownBy(() -> BusTopologyParser.parse("engines: [unclosed"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not valid YAML");
  }
}
