package io.sibus.crds;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cel.common.types.SimpleType;
import dev.cel.compiler.CelCompiler;
import dev.cel.compiler.CelCompilerFactory;
import dev.cel.runtime.CelRuntime;
import dev.cel.runtime.CelRuntimeFactory;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * What an API server does with a custom resource before it stores it, for the tests: apply the
 * schema's defaults, check types, required fields, enums, patterns, ranges and unknown fields
 * (strict field validation), and evaluate the {@code x-kubernetes-validations} CEL rules (with
 * {@code oldSelf} on updates). The fabric8 test server does none of this.
 */
final class CrdValidator {
  private static final CelCompiler COMPILER =
      CelCompilerFactory.standardCelCompilerBuilder()
          .addVar("self", SimpleType.DYN)
          .addVar("oldSelf", SimpleType.DYN)
          .build();
  private static final CelRuntime RUNTIME = CelRuntimeFactory.standardCelRuntimeBuilder().build();

  private final JsonNode rootSchema;

  CrdValidator(JsonNode crd) {
    this.rootSchema = crd.at("/spec/versions/0/schema/openAPIV3Schema");
  }

  /** The problems of {@code object} (a create) or of {@code object} replacing {@code old}. */
  List<String> validate(JsonNode object, JsonNode old) {
    List<String> errors = new ArrayList<>();
    JsonNode copy = object.deepCopy();
    for (String part : List.of("spec", "status")) {
      JsonNode schema = rootSchema.get("properties").get(part);
      if (copy.has(part) && schema != null) {
        applyDefaults(schema, copy.get(part));
        check(schema, copy.get(part), old == null ? null : old.get(part), part, errors);
      }
    }
    return errors;
  }

  private static void applyDefaults(JsonNode schema, JsonNode value) {
    if (!(value instanceof ObjectNode object) || !schema.has("properties")) {
      if (value != null && value.isArray() && schema.has("items")) {
        value.forEach(item -> applyDefaults(schema.get("items"), item));
      }
      return;
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = schema.get("properties").fields();
        it.hasNext(); ) {
      Map.Entry<String, JsonNode> property = it.next();
      if (!object.has(property.getKey()) && property.getValue().has("default")) {
        object.set(property.getKey(), property.getValue().get("default").deepCopy());
      }
      if (object.has(property.getKey())) {
        applyDefaults(property.getValue(), object.get(property.getKey()));
      }
    }
  }

  private void check(
      JsonNode schema, JsonNode value, JsonNode old, String path, List<String> errors) {
    if (value == null || value.isNull()) {
      return;
    }
    String type = schema.path("type").asText("");
    switch (type) {
      case "object" -> checkObject(schema, value, old, path, errors);
      case "array" -> {
        if (!value.isArray()) {
          errors.add(path + ": must be an array");
          return;
        }
        for (int i = 0; i < value.size(); i++) {
          check(schema.get("items"), value.get(i), null, path + "[" + i + "]", errors);
        }
      }
      case "string" -> checkString(schema, value, path, errors);
      case "integer" -> checkNumber(schema, value, path, errors, value.isIntegralNumber());
      case "number" -> checkNumber(schema, value, path, errors, value.isNumber());
      case "boolean" -> {
        if (!value.isBoolean()) {
          errors.add(path + ": must be a boolean");
        }
      }
      default -> {}
    }
    if (schema.has("x-kubernetes-validations")
        && errors.stream().noneMatch(e -> e.startsWith(path))) {
      for (JsonNode rule : schema.get("x-kubernetes-validations")) {
        String expression = rule.get("rule").asText();
        boolean transition = expression.contains("oldSelf");
        if (transition && old == null) {
          continue; // transition rules apply to updates only
        }
        if (!evaluate(expression, value, old)) {
          errors.add(path + ": " + rule.path("message").asText(expression));
        }
      }
    }
  }

  private void checkObject(
      JsonNode schema, JsonNode value, JsonNode old, String path, List<String> errors) {
    if (!value.isObject()) {
      errors.add(path + ": must be an object");
      return;
    }
    JsonNode properties = schema.get("properties");
    JsonNode additional = schema.get("additionalProperties");
    boolean preserve = schema.path("x-kubernetes-preserve-unknown-fields").asBoolean(false);
    for (JsonNode required : schema.path("required")) {
      if (!value.has(required.asText())) {
        errors.add(path + "." + required.asText() + ": is required");
      }
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = value.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> field = it.next();
      String fieldPath = path + "." + field.getKey();
      JsonNode oldField = old == null ? null : old.get(field.getKey());
      if (properties != null && properties.has(field.getKey())) {
        check(properties.get(field.getKey()), field.getValue(), oldField, fieldPath, errors);
      } else if (additional != null && additional.isObject()) {
        check(additional, field.getValue(), oldField, fieldPath, errors);
      } else if (!preserve) {
        errors.add(fieldPath + ": unknown field");
      }
    }
  }

  private static void checkString(
      JsonNode schema, JsonNode value, String path, List<String> errors) {
    if (!value.isTextual()) {
      errors.add(path + ": must be a string");
      return;
    }
    String text = value.asText();
    if (schema.has("enum")) {
      List<String> allowed = new ArrayList<>();
      schema.get("enum").forEach(e -> allowed.add(e.asText()));
      if (!allowed.contains(text)) {
        errors.add(path + ": '" + text + "' is not one of " + allowed);
      }
    }
    if (schema.has("pattern")
        && !Pattern.compile(schema.get("pattern").asText()).matcher(text).find()) {
      errors.add(path + ": '" + text + "' does not match " + schema.get("pattern").asText());
    }
  }

  private static void checkNumber(
      JsonNode schema, JsonNode value, String path, List<String> errors, boolean rightType) {
    if (!rightType) {
      errors.add(path + ": must be a " + schema.get("type").asText());
      return;
    }
    if (schema.has("minimum") && value.asDouble() < schema.get("minimum").asDouble()) {
      errors.add(path + ": must be at least " + schema.get("minimum").asLong());
    }
    if (schema.has("maximum") && value.asDouble() > schema.get("maximum").asDouble()) {
      errors.add(path + ": must be at most " + schema.get("maximum").asLong());
    }
  }

  private static boolean evaluate(String expression, JsonNode self, JsonNode oldSelf) {
    try {
      var ast = COMPILER.compile(expression).getAst();
      Map<String, Object> variables = new LinkedHashMap<>();
      variables.put("self", toCel(self));
      if (oldSelf != null) {
        variables.put("oldSelf", toCel(oldSelf));
      }
      return Boolean.TRUE.equals(RUNTIME.createProgram(ast).eval(variables));
    } catch (Exception e) {
      throw new IllegalStateException("CEL rule '" + expression + "' failed: " + e.getMessage(), e);
    }
  }

  private static Object toCel(JsonNode node) {
    if (node.isObject()) {
      Map<String, Object> map = new LinkedHashMap<>();
      node.fields().forEachRemaining(e -> map.put(e.getKey(), toCel(e.getValue())));
      return map;
    }
    if (node.isArray()) {
      List<Object> list = new ArrayList<>();
      node.forEach(item -> list.add(toCel(item)));
      return list;
    }
    if (node.isIntegralNumber()) {
      return node.asLong();
    }
    if (node.isNumber()) {
      return node.asDouble();
    }
    if (node.isBoolean()) {
      return node.asBoolean();
    }
    return node.asText();
  }
}
