package io.sibus.engine.messaging;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sibus.datastore.ErrorClass;
import io.sibus.datastore.StoreException;
import java.util.Map;
import java.util.TreeMap;

/** Message properties as stored: a JSON object with sorted keys, so its checksum is stable. */
public final class PropertiesCodec {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final TypeReference<TreeMap<String, String>> MAP = new TypeReference<>() {};
  // Most messages have no properties: their JSON is written and read without the mapper.
  private static final String NONE = "{}";

  private PropertiesCodec() {}

  public static String encode(Map<String, String> properties) {
    if (properties.isEmpty()) {
      return NONE;
    }
    try {
      return JSON.writeValueAsString(new TreeMap<>(properties));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("properties cannot be encoded", e);
    }
  }

  public static Map<String, String> decode(String json) {
    try {
      return json == null || json.isEmpty() || json.equals(NONE)
          ? new TreeMap<>()
          : JSON.readValue(json, MAP);
    } catch (JsonProcessingException e) {
      throw new StoreException(
          ErrorClass.GLOBAL,
          "SIBUS1539E",
          "The properties of a stored message are not valid JSON: the data store is corrupted.",
          "Restore the data store from a backup.");
    }
  }
}
