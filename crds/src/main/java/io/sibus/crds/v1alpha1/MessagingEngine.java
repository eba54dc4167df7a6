package io.sibus.crds.v1alpha1;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Categories;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * A messaging engine of a bus: its members (one active, the others hot standbys), its data store
 * and its failover settings. The operator runs it as member pods behind a Service that routes to
 * the active member.
 */
@Group(MessagingEngine.GROUP)
@Version(MessagingEngine.VERSION)
@ShortNames("me")
@Categories("sibus")
@AdditionalPrinterColumn(
    name = "Phase",
    jsonPath = ".status.phase",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "Active",
    jsonPath = ".status.activeMember",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "Members",
    jsonPath = ".status.membersReady",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "Age",
    jsonPath = ".metadata.creationTimestamp",
    type = AdditionalPrinterColumn.Type.DATE)
public class MessagingEngine extends CustomResource<MessagingEngineSpec, MessagingEngineStatus>
    implements Namespaced {
  public static final String GROUP = "sibus.io";
  public static final String VERSION = "v1alpha1";

  /** A new token here restarts the engine once in restart-after-restore mode. */
  public static final String RESTART_AFTER_RESTORE = "sibus.io/restart-after-restore";

  /** A new token here runs a recovery start once (before restart after restore, if both). */
  public static final String RECOVERY = "sibus.io/recovery";

  /** A new token here lifts a global error and restarts the members. */
  public static final String CLEAR_GLOBAL_ERROR = "sibus.io/clear-global-error";

  /** A new token here re-enables members disabled for high availability. */
  public static final String REENABLE_MEMBERS = "sibus.io/reenable-members";

  /** "true" stops the operator from changing anything of this engine. */
  public static final String PAUSE_RECONCILIATION = "sibus.io/pause-reconciliation";
}
