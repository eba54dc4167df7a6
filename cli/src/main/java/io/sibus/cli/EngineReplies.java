package io.sibus.cli;

import io.sibus.local.EngineClient;

/** Turns an engine's error answers into the one line the user sees. */
final class EngineReplies {
  private EngineReplies() {}

  /** Returns {@code reply} when it is a success, otherwise fails with its error line. */
  static EngineClient.Reply requireOk(EngineClient.Reply reply) {
    if (!reply.ok()) {
      throw new CommandFailure(errorLine(reply));
    }
    return reply;
  }

  /**
   * {@code code: message} as CONTRACT.md's error body gives them; an answer without that body (a
   * proxy's error page, say) is described by its HTTP status.
   */
  static String errorLine(EngineClient.Reply reply) {
    String code = reply.text("code");
    String message = reply.text("message");
    if (code != null && message != null) {
      return code + ": " + message;
    }
    String body =
        reply.json() == null
            ? ""
            : reply.json().isTextual() ? reply.json().textValue() : reply.json().toString();
    return "HTTP " + reply.status() + (body.isBlank() ? "" : ": " + oneLine(body));
  }

  private static String oneLine(String text) {
    String flat = text.replaceAll("\\s+", " ").trim();
    return flat.length() > 200 ? flat.substring(0, 200) + "..." : flat;
  }
}
