package io.sibus.engine.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.sibus.engine.error.ApiException;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.ServiceUnavailableException;
import jakarta.ws.rs.WebApplicationException;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

/**
 * The one mapping from a failure to the API's answer, used by the REST layer and the routes outside
 * it (ApiRoutes).
 */
class ErrorMappersTest {
  @Test
  void anApiFailureIsAnsweredAsItIsEvenWhenWrapped() {
    ApiException gone = ApiException.unknownDestination("nowhere");
    assertThat(ErrorMappers.answer(gone)).isSameAs(gone);
    assertThat(ErrorMappers.answer(new CompletionException(new CompletionException(gone))))
        .isSameAs(gone);
  }

  @Test
  void theHttpLayersFailuresKeepTheirStatus() {
    assertThat(ErrorMappers.answer(new NotFoundException()).code()).isEqualTo("SIBUS0212E");
    ApiException unavailable = ErrorMappers.answer(new ServiceUnavailableException());
    assertThat(unavailable.status()).isEqualTo(503);
    assertThat(unavailable.code()).isEqualTo("SIBUS0210E");
    assertThat(ErrorMappers.answer(new WebApplicationException(500)).status()).isEqualTo(500);
  }

  @Test
  void anythingElseIsAnInternalError() {
    ApiException answer = ErrorMappers.answer(new IllegalStateException("a defect"));
    assertThat(answer.status()).isEqualTo(500);
    assertThat(answer.code()).isEqualTo("SIBUS0210E");
    assertThat(answer.getMessage()).doesNotContain("a defect");
  }
}
