package io.sibus.engine.api;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Which sends the route answers itself, and which it leaves to the REST layer (a 406 there). */
class SendRouteTest {
  @Test
  void anAcceptThatCoversJsonIsAnsweredByTheRoute() {
    assertThat(SendRoute.acceptsJson(null)).isTrue();
    assertThat(SendRoute.acceptsJson(" ")).isTrue();
    assertThat(SendRoute.acceptsJson("application/json")).isTrue();
    assertThat(SendRoute.acceptsJson("Application/JSON; charset=utf-8")).isTrue();
    assertThat(SendRoute.acceptsJson("text/html, application/*;q=0.5")).isTrue();
    assertThat(SendRoute.acceptsJson("text/plain, */*")).isTrue();
    assertThat(SendRoute.acceptsJson("*/*;q=oops")).isTrue();
  }

  @Test
  void anAcceptThatExcludesJsonGoesOnToTheRestLayer() {
    assertThat(SendRoute.acceptsJson("text/plain")).isFalse();
    assertThat(SendRoute.acceptsJson("application/xml, text/*")).isFalse();
    assertThat(SendRoute.acceptsJson("application/json;q=0")).isFalse();
    assertThat(SendRoute.acceptsJson("*/*; q=0.0, text/plain")).isFalse();
    assertThat(SendRoute.acceptsJson("application/jsonx")).isFalse();
  }
}
