package io.sibus.cli.backup;

import io.sibus.local.EngineClient;
import io.sibus.local.MemberSetClient;
import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;

/**
 * Where a bus runs, as a backup and a restore reach it: standalone (a configuration file, members
 * at known URLs, one database) or on Kubernetes (resources, the operator, a database per engine).
 * The runbook is the same; how engines are stopped, reconfigured and started differs.
 */
public interface BusSite {
  /** {@code file} or {@code kubernetes}, recorded in the manifest. */
  String kind();

  /** The bus configuration in the engines' format ({@code bus.yaml}). */
  byte[] config() throws IOException;

  default BusFile busFile() throws IOException {
    return BusFile.parse(config());
  }

  /** Configuration kept beside {@code bus.yaml} (name to content): the resources on Kubernetes. */
  Map<String, byte[]> extraConfig() throws IOException;

  /** The schema of an engine's data store. */
  String schema(String engine);

  /** A connection to an engine's database. */
  Connection connect(String engine) throws SQLException;

  /** The active member of {@code engine} answers {@code call}. */
  EngineClient.Reply callActive(String engine, List<String> urls, MemberSetClient.Call call)
      throws IOException;

  /** Stops every engine of the running configuration and waits until each is stopped. */
  void stopAll(BusFile running, Progress progress) throws IOException;

  /**
   * What putting back the configuration of {@code archive} would change beyond {@code bus.yaml}
   * (whose differences the restore tells itself): for a dry run, nothing is changed.
   */
  List<String> configurationChanges(Archive archive) throws IOException;

  /** Puts back the configuration of {@code archive}; the engines are stopped meanwhile. */
  void restoreConfiguration(Archive archive, Progress progress) throws IOException;

  /**
   * Starts every engine of {@code restored} in restart-after-restore mode (after a recovery start
   * when asked) and waits until each has flushed its delivery streams (SIBUS0783I).
   */
  void startAfterRestore(BusFile restored, boolean recovery, Progress progress);
}
