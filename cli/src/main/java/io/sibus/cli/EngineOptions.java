package io.sibus.cli;

import io.sibus.local.EngineClient;
import io.sibus.local.MemberSetClient;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * The options that say which engine to talk to: its members' URLs and the API token. Shared by the
 * commands that call an engine's HTTP API.
 */
final class EngineOptions {
  /** How long a call keeps trying other members while they fail over or are unreachable. */
  static final Duration RETRY_FOR = Duration.ofSeconds(10);

  @CommandLine.Spec(CommandLine.Spec.Target.MIXEE)
  CommandLine.Model.CommandSpec mixee;

  @Option(
      names = "--url",
      split = ",",
      paramLabel = "U",
      description =
          "An engine member's URL, e.g. http://127.0.0.1:8081. Give every member of the engine"
              + " (repeat the option or separate with commas): a member that is not active"
              + " answers 503 and the call moves to the active one, retrying for up to 10 s.")
  List<String> urls = new ArrayList<>();

  @Option(
      names = "--token",
      paramLabel = "T",
      defaultValue = "${env:SIBUS_TOKEN}",
      description =
          "The engine's API bearer token (default: the environment variable SIBUS_TOKEN).")
  String token;

  /** The members' URLs, checked; bad usage when none or a malformed one is given. */
  List<String> memberUrls() {
    List<String> checked = new ArrayList<>();
    for (String url : urls) {
      String trimmed = url.trim();
      if (!trimmed.isEmpty()) {
        checked.add(checkUrl(trimmed));
      }
    }
    if (checked.isEmpty()) {
      throw usage("--url is required: the URL of each member of the engine");
    }
    return checked;
  }

  boolean urlsGiven() {
    return urls.stream().anyMatch(u -> !u.isBlank());
  }

  /** A client that finds the active member among the given ones. */
  MemberSetClient members() {
    return new MemberSetClient(memberUrls(), blankToNull(token));
  }

  /** A client of one member only. */
  EngineClient member(String url) {
    return new EngineClient(url, blankToNull(token));
  }

  /** Runs {@code call} against the active member; an engine that cannot be reached fails. */
  EngineClient.Reply callActive(MemberSetClient members, MemberSetClient.Call call) {
    try {
      return members.call(call, RETRY_FOR);
    } catch (IOException e) {
      throw new CommandFailure(
          "cannot reach the engine at " + String.join(",", memberUrls()) + ": " + describe(e), e);
    }
  }

  CommandLine.ParameterException usage(String message) {
    return new CommandLine.ParameterException(mixee.commandLine(), message);
  }

  private String checkUrl(String url) {
    try {
      URI uri = new URI(url);
      boolean http = "http".equals(uri.getScheme()) || "https".equals(uri.getScheme());
      if (http && uri.getHost() != null) {
        return url;
      }
    } catch (URISyntaxException e) {
      // Reported below, like any other malformed URL.
    }
    throw usage("--url '" + url + "' is not an http or https URL with a host");
  }

  /** A connection failure in words; the JDK's HTTP client often gives no message at all. */
  static String describe(IOException e) {
    String message = e.getMessage();
    if (message != null && !message.isBlank()) {
      return message;
    }
    if (e instanceof ConnectException) {
      return "connection refused";
    }
    return e.getClass().getSimpleName();
  }

  private static String blankToNull(String value) {
    return value == null || value.isBlank() ? null : value;
  }
}
