package io.sibus.engine.api;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * Which calls the routes outside the REST layer serve themselves, and which they leave to the REST
 * layer (a 406 or 415 there).
 */
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
    assertThat(ApiRoutes.acceptsJson("*/*;q=0, application/json")).isTrue(); // the more specific
    assertThat(ApiRoutes.acceptsJson("application/json;q=0.1, application/json;q=0")).isTrue();
  }

  @Test
  void anAcceptThatExcludesJsonGoesOnToTheRestLayer() {
    assertThat(ApiRoutes.acceptsJson("text/plain")).isFalse();
    assertThat(ApiRoutes.acceptsJson("application/xml, text/*")).isFalse();
    assertThat(ApiRoutes.acceptsJson("application/json;q=0")).isFalse();
    assertThat(ApiRoutes.acceptsJson("*/*; q=0.0, text/plain")).isFalse();
    assertThat(ApiRoutes.acceptsJson("application/jsonx")).isFalse();
    assertThat(ApiRoutes.acceptsJson("application/json;q=0, */*")).isFalse(); // the more specific
    assertThat(ApiRoutes.acceptsJson("application/*;q=0, text/html, */*")).isFalse();
  }

  @Test
  void anAcknowledgementIsReadByTheRouteOnlyWhenItSaysJson() {
    assertThat(ApiRoutes.isJson("application/json")).isTrue();
    assertThat(ApiRoutes.isJson(" Application/JSON ; charset=UTF-8")).isTrue();
    assertThat(ApiRoutes.isJson(null)).isFalse();
    assertThat(ApiRoutes.isJson("")).isFalse();
    assertThat(ApiRoutes.isJson("text/plain")).isFalse();
    assertThat(ApiRoutes.isJson("application/json-patch+json")).isFalse();
  }
}
