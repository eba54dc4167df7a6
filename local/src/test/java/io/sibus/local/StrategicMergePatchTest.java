package io.sibus.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The strategic merge patches kubectl sends for built-in kinds: target, patch, result. */
class StrategicMergePatchTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "containers merge by name, order kept"
            + "| {\"containers\":[{\"name\":\"a\",\"image\":\"1\",\"ports\":[{\"containerPort\":80}]},"
            + "{\"name\":\"b\",\"image\":\"1\"}]}"
            + "| {\"$setElementOrder/containers\":[{\"name\":\"a\"},{\"name\":\"b\"}],"
            + "\"containers\":[{\"name\":\"b\",\"image\":\"2\"}]}"
            + "| {\"containers\":[{\"name\":\"a\",\"image\":\"1\",\"ports\":[{\"containerPort\":80}]},"
            + "{\"name\":\"b\",\"image\":\"2\"}]}",
        "an element deleted"
            + "| {\"env\":[{\"name\":\"X\",\"value\":\"1\"},{\"name\":\"Y\",\"value\":\"2\"}]}"
            + "| {\"env\":[{\"name\":\"X\",\"$patch\":\"delete\"}]}"
            + "| {\"env\":[{\"name\":\"Y\",\"value\":\"2\"}]}",
        "an element added where $setElementOrder puts it"
            + "| {\"env\":[{\"name\":\"X\"}]}"
            + "| {\"$setElementOrder/env\":[{\"name\":\"Y\"},{\"name\":\"X\"}],"
            + "\"env\":[{\"name\":\"Y\",\"value\":\"1\"}]}"
            + "| {\"env\":[{\"name\":\"Y\",\"value\":\"1\"},{\"name\":\"X\"}]}",
        "service ports merge by port"
            + "| {\"ports\":[{\"port\":80,\"name\":\"http\"},{\"port\":443,\"name\":\"https\"}]}"
            + "| {\"ports\":[{\"port\":80,\"targetPort\":8080}]}"
            + "| {\"ports\":[{\"port\":80,\"name\":\"http\",\"targetPort\":8080},"
            + "{\"port\":443,\"name\":\"https\"}]}",
        "$retainKeys drops the other keys"
            + "| {\"strategy\":{\"type\":\"RollingUpdate\",\"rollingUpdate\":{\"maxSurge\":1}}}"
            + "| {\"strategy\":{\"$retainKeys\":[\"type\"],\"type\":\"Recreate\"}}"
            + "| {\"strategy\":{\"type\":\"Recreate\"}}",
        "a list without merge key is replaced"
            + "| {\"args\":[\"a\",\"b\"]}"
            + "| {\"args\":[\"c\"]}"
            + "| {\"args\":[\"c\"]}",
        "finalizers merge as a set and are deleted by value"
            + "| {\"finalizers\":[\"a\",\"b\"]}"
            + "| {\"$deleteFromPrimitiveList/finalizers\":[\"a\"],\"finalizers\":[\"c\"]}"
            + "| {\"finalizers\":[\"b\",\"c\"]}",
        "$patch replace replaces a map"
            + "| {\"m\":{\"a\":1,\"b\":2}}"
            + "| {\"m\":{\"$patch\":\"replace\",\"c\":3}}"
            + "| {\"m\":{\"c\":3}}",
        "$patch delete removes a map"
            + "| {\"m\":{\"a\":1},\"n\":1}"
            + "| {\"m\":{\"$patch\":\"delete\"}}"
            + "| {\"n\":1}",
        "null removes a key, new maps are created"
            + "| {\"a\":1,\"b\":2}"
            + "| {\"a\":null,\"c\":{\"d\":1,\"e\":null}}"
            + "| {\"b\":2,\"c\":{\"d\":1}}"
      })
  void mergesLikeTheApiServer(String name, String target, String patch, String result)
      throws Exception {
    assertThat(StrategicMergePatch.apply(JSON.readTree(target), JSON.readTree(patch)))
        .isEqualTo(JSON.readTree(result));
  }
}
