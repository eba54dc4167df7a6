package io.sibus.operator.admin;

/**
 * The admin API of engine members, as the operator uses it. A member is addressed by its base URL
 * ({@code http://<pod IP>:<port>}).
 */
public interface EngineAdmin {
  /** The member's report, or {@link EngineReport#UNREACHABLE}. */
  EngineReport report(String memberUrl);

  /** Asks the member to start its engine in {@code mode}; false when it refused or was gone. */
  boolean start(String memberUrl, String mode);

  /** Asks the member to stop its engine; false when it refused or was gone. */
  boolean stop(String memberUrl);

  /** The depth of a destination on the member, or -1 when unknown. */
  long depth(String memberUrl, String destination);
}
