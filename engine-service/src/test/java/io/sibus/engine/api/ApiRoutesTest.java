package io.sibus.engine.api;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Which sends the route answers itself, and which it leaves to the REST layer (a 406 there). */
class ApiRoutesTest {
  @Test
  void anAcceptThatCoversJsonIsAnsweredByTheRoute() {
    assertThat(ApiRoutes.acceptsJson(null)).isTrue();
    assertThat(ApiRoutes.acceptsJson(" ")).isTrue();
    assertThat(ApiRoutes.acceptsJson("application/json")).isTrue();
    assertThat(ApiRoutes.acceptsJson("Application/JSON; charset=utf-8")).isTrue();
    assertThat(ApiRoutes.acceptsJson("text/html, application/*;q=0.5")).isTrue();
    assertThat(ApiRoutes.acceptsJson("text/plain, */*")).isTrue();
    assertThat(ApiRoutes.acceptsJson("*/*;q=oops")).isTrue();
  }

  @Test
  void anAcceptThatExcludesJsonGoesOnToTheRestLayer() {
    assertThat(ApiRoutes.acceptsJson("text/plain")).isFalse();
    assertThat(ApiRoutes.acceptsJson("application/xml, text/*")).isFalse();
    assertThat(ApiRoutes.acceptsJson("application/json;q=0")).isFalse();
    assertThat(ApiRoutes.acceptsJson("*/*; q=0.0, text/plain")).isFalse();
    assertThat(ApiRoutes.acceptsJson("application/jsonx")).isFalse();
  }
}
