package io.sibus.local;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.client.server.mock.KubernetesAttributesExtractor;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.fabric8.mockwebserver.http.Buffer;
import io.fabric8.mockwebserver.http.Headers;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.mockwebserver.internal.MockDispatcher;
import io.fabric8.mockwebserver.internal.SimpleRequest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.function.BinaryOperator;
import java.util.regex.Pattern;

/**
 * fabric8's CRUD dispatcher with what kubectl needs on top. Discovery is answered from the built-in
 * kinds and the stored CRDs; recorded expectations come next (as in fabric8's
 * KubernetesMixedDispatcher); writes lose their query string ({@code ?fieldManager=kubectl}), which
 * would otherwise hide a {@code /status} path from the CRUD server and silently drop the change.
 * JSON merge patch and strategic merge patch are applied here (fabric8 appends lists, keeps nulls
 * and refuses strategic merge) and stored as an update, so resourceVersion checks, the status
 * subresource rule and watch events are those of a PUT. JSON patch stays fabric8's.
 */
final class LocalApiDispatcher extends KubernetesCrudDispatcher {
  private static final String CRDS = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions";
  private static final Pattern DRY_RUN = Pattern.compile("[?&]dryRun=All(&|$)");
  private static final Set<HttpMethod> WRITES =
      Set.of(HttpMethod.POST, HttpMethod.PUT, HttpMethod.PATCH);

  private static final ObjectMapper JSON = new ObjectMapper();

  /** Retries of a patch that lost a race with another update (the API server retries too). */
  private static final int ATTEMPTS = 5;

  private final Map<ServerRequest, Queue<ServerResponse>> expectations;
  private final MockDispatcher expected;
  private final Discovery discovery = new Discovery(this::storedCrds);

  LocalApiDispatcher(Map<ServerRequest, Queue<ServerResponse>> expectations) {
    this.expectations = expectations;
    this.expected = new MockDispatcher(expectations);
  }

  @Override
  public MockResponse dispatch(RecordedRequest request) {
    String path = request.getPath();
    if (request.method() == HttpMethod.GET) {
      MockResponse answer = discovery.answer(withoutQuery(path));
      if (answer != null) {
        return answer;
      }
    }
    Queue<ServerResponse> queue = expectations.get(new SimpleRequest(request.method(), path));
    if (queue != null && !queue.isEmpty()) {
      return expected.dispatch(request);
    }
    if (isDryRun(request)) {
      return dryRun(request, withoutQuery(path));
    }
    if (WRITES.contains(request.method()) && !path.equals(withoutQuery(path))) {
      return super.dispatch(
          request(request.method(), withoutQuery(path), request.getHeaders(), request.getBody()));
    }
    return super.dispatch(request);
  }

  @Override
  public MockResponse handlePatch(RecordedRequest request) {
    return mergePatchKind(request) == null
        ? super.handlePatch(request)
        : patch(request, request.getPath(), true);
  }

  /**
   * A write with {@code ?dryRun=All} ({@code kubectl diff}, {@code --dry-run=server}): answered as
   * if done, nothing stored. The CRUD server would ignore the parameter and write.
   */
  private MockResponse dryRun(RecordedRequest request, String path) {
    return switch (request.method()) {
      case POST -> Responses.json(201, text(request.getBody()));
      case PUT -> exists(path) ? Responses.json(200, text(request.getBody())) : notFound(path);
      case DELETE -> exists(path) ? handleGet(path) : notFound(path);
      case PATCH ->
          mergePatchKind(request) == null
              ? Responses.failure(400, "BadRequest", "no dry run of this patch type here")
              : patch(request, path, false);
      default -> super.dispatch(request);
    };
  }

  /** A merge or strategic merge patch, stored as an update unless {@code store} is false. */
  private MockResponse patch(RecordedRequest request, String path, boolean store) {
    if (!getKey(path).containsKey(KubernetesAttributesExtractor.NAME)) {
      return Responses.failure(405, "MethodNotAllowed", "PATCH needs an object: " + path);
    }
    JsonNode patch = read(text(request.getBody()));
    if (patch == null || !patch.isObject()) {
      return Responses.failure(400, "BadRequest", "the patch is not a JSON object");
    }
    BinaryOperator<JsonNode> merge = mergePatchKind(request);
    // A patch that names a resourceVersion must meet exactly it; one without is retried.
    boolean pinned = patch.path("metadata").has("resourceVersion");
    for (int attempt = 1; ; attempt++) {
      MockResponse current = handleGet(path);
      if (current.code() == 404) {
        return notFound(path);
      }
      JsonNode updated = merge.apply(read(text(current.getBody())), patch);
      if (!store) {
        return Responses.json(200, updated.toString());
      }
      MockResponse response = handleUpdate(put(path, updated));
      if (response.code() != 409 || pinned || attempt == ATTEMPTS) {
        return response;
      }
    }
  }

  /** How to apply the request's patch, or null to leave it to fabric8 (JSON patch, apply). */
  private static BinaryOperator<JsonNode> mergePatchKind(RecordedRequest request) {
    String contentType = request.getHeader("Content-Type");
    String type =
        contentType == null ? "" : contentType.split(";")[0].trim().toLowerCase(Locale.ROOT);
    return switch (type) {
      case "application/merge-patch+json" -> MergePatch::apply;
      case "application/strategic-merge-patch+json" -> StrategicMergePatch::apply;
      default -> null;
    };
  }

  /** kubectl asks for a dry run in the query, or for DELETE in the DeleteOptions body. */
  private static boolean isDryRun(RecordedRequest request) {
    if (request.method() == HttpMethod.DELETE) {
      JsonNode options = read(text(request.getBody()));
      return options != null && options.path("dryRun").toString().contains("\"All\"");
    }
    return WRITES.contains(request.method()) && DRY_RUN.matcher(request.getPath()).find();
  }

  private boolean exists(String path) {
    return handleGet(path).code() == 200;
  }

  private static MockResponse notFound(String path) {
    return Responses.failure(404, "NotFound", "not found: " + path);
  }

  private List<JsonNode> storedCrds() {
    List<JsonNode> crds = new ArrayList<>();
    JsonNode list = read(text(handleGet(CRDS).getBody()));
    if (list != null) {
      list.path("items").forEach(crds::add);
    }
    return crds;
  }

  private static RecordedRequest put(String path, JsonNode body) {
    Headers headers = Headers.builder().add("Content-Type", "application/json").build();
    return request(HttpMethod.PUT, path, headers, new Buffer().writeUtf8(body.toString()));
  }

  private static RecordedRequest request(
      HttpMethod method, String path, Headers headers, Buffer body) {
    return new RecordedRequest("HTTP/1.1", method, path, headers, body);
  }

  private static String withoutQuery(String path) {
    int query = path.indexOf('?');
    return query < 0 ? path : path.substring(0, query);
  }

  /** The body as text, left in the buffer (reading a fabric8 Buffer empties it). */
  private static String text(Buffer body) {
    return body == null ? "" : new String(body.getBytes(), StandardCharsets.UTF_8);
  }

  private static JsonNode read(String json) {
    if (json.isBlank()) {
      return null;
    }
    try {
      return JSON.readTree(json);
    } catch (JsonProcessingException e) {
      return null;
    }
  }
}
