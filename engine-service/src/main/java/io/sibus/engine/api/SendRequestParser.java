package io.sibus.engine.api;

import io.sibus.datastore.Reliability;
import io.sibus.engine.error.ApiException;
import io.sibus.engine.messaging.SendRequest;
import jakarta.ws.rs.core.MultivaluedMap;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Reads a send from its HTTP headers and body, refusing anything malformed with a 400 that names
 * the header, so that nothing invalid reaches the engine.
 */
final class SendRequestParser {
  static final String PROPERTY_PREFIX = "sibus-property-";
  private static final Pattern PROPERTY_NAME = Pattern.compile("^[A-Za-z0-9._-]{1,64}$");
  private static final int MAX_PROPERTIES = 64;
  private static final int MAX_PROPERTY_VALUE = 4096;
  private static final int MAX_KEY = 200;
  private static final long MAX_TTL = 10L * 365 * 24 * 3600 * 1000;

  private SendRequestParser() {}

  static SendRequest parse(byte[] body, MultivaluedMap<String, String> headers, int maxSize) {
    byte[] payload = body == null ? new byte[0] : body;
    if (payload.length > maxSize) {
      throw tooLarge(payload.length, maxSize);
    }
    String contentType = first(headers, "Content-Type");
    if (contentType == null || contentType.isBlank()) {
      contentType = "application/octet-stream";
    }
    checkText("Content-Type", contentType, 200);
    Reliability reliability = null;
    String level = first(headers, "Sibus-Reliability");
    if (level != null) {
      reliability =
          Reliability.parse(level)
              .orElseThrow(
                  () ->
                      ApiException.badRequest(
                          "Sibus-Reliability",
                          "'"
                              + clip(level)
                              + "' is not one of "
                              + Arrays.toString(Reliability.values())));
    }
    int priority = SendRequest.DEFAULT_PRIORITY;
    String p = first(headers, "Sibus-Priority");
    if (p != null) {
      priority = (int) number("Sibus-Priority", p, 0, 9);
    }
    long ttl = 0;
    String t = first(headers, "Sibus-Time-To-Live");
    if (t != null) {
      ttl = number("Sibus-Time-To-Live", t, 1, MAX_TTL);
    }
    String correlationId = first(headers, "Sibus-Correlation-Id");
    if (correlationId != null) {
      checkText("Sibus-Correlation-Id", correlationId, 256);
    }
    String key = first(headers, "Idempotency-Key");
    if (key != null) {
      if (key.isEmpty()) {
        throw ApiException.badRequest("Idempotency-Key", "it is empty");
      }
      checkText("Idempotency-Key", key, MAX_KEY);
    }
    return new SendRequest(
        payload, contentType, reliability, priority, ttl, correlationId, key, properties(headers));
  }

  static ApiException tooLarge(long size, int maxSize) {
    return new ApiException(
            413,
            "SIBUS0203E",
            "The message body has " + size + " bytes; this engine accepts at most " + maxSize + ".",
            "Send a smaller message, or raise sibus.engine.max-message-size.")
        .detail("maxMessageSize", maxSize);
  }

  private static Map<String, String> properties(MultivaluedMap<String, String> headers) {
    Map<String, String> properties = new TreeMap<>();
    for (Map.Entry<String, List<String>> header : headers.entrySet()) {
      String name = header.getKey();
      if (!name.toLowerCase(Locale.ROOT).startsWith(PROPERTY_PREFIX)) {
        continue;
      }
      String property = name.substring(PROPERTY_PREFIX.length());
      if (!PROPERTY_NAME.matcher(property).matches()) {
        throw ApiException.badRequest(
            name, "the property name must match " + PROPERTY_NAME.pattern());
      }
      String value = header.getValue().isEmpty() ? "" : header.getValue().get(0);
      checkText(name, value, MAX_PROPERTY_VALUE);
      properties.put(property, value);
    }
    if (properties.size() > MAX_PROPERTIES) {
      throw ApiException.badRequest(
          "Sibus-Property-*", "at most " + MAX_PROPERTIES + " properties are allowed");
    }
    return properties;
  }

  static long number(String field, String text, long min, long max) {
    long value;
    try {
      value = Long.parseLong(text.trim());
    } catch (NumberFormatException e) {
      throw ApiException.badRequest(field, "'" + clip(text) + "' is not a whole number");
    }
    if (value < min || value > max) {
      throw ApiException.badRequest(field, value + " is outside " + min + ".." + max);
    }
    return value;
  }

  private static void checkText(String field, String value, int max) {
    if (value.length() > max) {
      throw ApiException.badRequest(field, "it is longer than " + max + " characters");
    }
    for (int i = 0; i < value.length(); i++) {
      if (Character.isISOControl(value.charAt(i))) {
        throw ApiException.badRequest(field, "it contains control characters");
      }
    }
  }

  private static String first(MultivaluedMap<String, String> headers, String name) {
    String value = headers.getFirst(name);
    if (value == null) {
      for (Map.Entry<String, List<String>> e : headers.entrySet()) {
        if (e.getKey().equalsIgnoreCase(name) && !e.getValue().isEmpty()) {
          return e.getValue().get(0);
        }
      }
    }
    return value;
  }

  static String clip(String text) {
    return text.length() > 40 ? text.substring(0, 40) + "..." : text;
  }
}
