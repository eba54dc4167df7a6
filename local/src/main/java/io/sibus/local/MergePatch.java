package io.sibus.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;

/**
 * JSON merge patch as RFC 7386 defines it: objects merge key by key, a {@code null} removes the
 * key, anything else (lists included) replaces. fabric8's test server appends lists and keeps
 * {@code null} values, so {@code kubectl annotate x key-} would not remove the annotation there.
 */
final class MergePatch {
  private MergePatch() {}

  /** The result of patching {@code target} (left unchanged) with {@code patch}. */
  static JsonNode apply(JsonNode target, JsonNode patch) {
    if (!patch.isObject()) {
      return patch.deepCopy();
    }
    ObjectNode result =
        target != null && target.isObject()
            ? ((ObjectNode) target).deepCopy()
            : JsonNodeFactory.instance.objectNode();
    for (Map.Entry<String, JsonNode> field : patch.properties()) {
      if (field.getValue().isNull()) {
        result.remove(field.getKey());
      } else {
        result.set(field.getKey(), apply(result.get(field.getKey()), field.getValue()));
      }
    }
    return result;
  }
}
