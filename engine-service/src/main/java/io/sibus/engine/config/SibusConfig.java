package io.sibus.engine.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;
import java.time.Duration;
import java.util.Optional;

/** The engine's configuration (CONTRACT.md, "Engine configuration"). */
@ConfigMapping(prefix = "sibus")
public interface SibusConfig {
  BusSettings bus();

  EngineSettings engine();

  DatastoreSettings datastore();

  ElectionSettings election();

  SecuritySettings security();

  /** The bus this engine belongs to. */
  interface BusSettings {
    /** The bus name. */
    String name();

    /** The bus topology file (engines, destinations); reloaded when it changes. */
    Optional<String> configFile();

    /**
     * The bus's shared secret for engine-to-engine calls; overrides the {@code secret} of the bus
     * file (on Kubernetes it comes from a Secret rather than the ConfigMap).
     */
    Optional<String> secret();
  }

  /** The engine and this member of it. */
  interface EngineSettings {
    /** The engine name. */
    String name();

    /** This member's name (the pod name); the host name when unset. */
    Optional<String> member();

    /** The URL at which other members and clients reach this member. */
    Optional<String> url();

    /** {@code STARTED} or {@code STOPPED}: whether the engine starts with the process. */
    @WithDefault("STARTED")
    InitialState initialState();

    /** The start mode of the first start of this process. */
    @WithDefault("NORMAL")
    StartMode startMode();

    /**
     * {@code datastore} or {@code kubernetes}: where "who may try" is decided. Unset: {@code
     * kubernetes} in a pod (the variable {@code KUBERNETES_SERVICE_HOST} is set), else {@code
     * datastore}.
     */
    Optional<ElectionKind> election();

    /** Where a member that exits for a local error writes its termination message. */
    @WithDefault("/dev/termination-log")
    String terminationLog();

    /** Largest message body accepted, in bytes. */
    @WithDefault("1048576")
    int maxMessageSize();

    /** How often a standby tries to take the data store. */
    @WithDefault("100ms")
    Duration pollInterval();

    /** How often the active member writes its heartbeat. */
    @WithDefault("1s")
    Duration heartbeatInterval();

    /** A holder whose heartbeat is older than this is hung: its session is ended. */
    @WithDefault("10s")
    Duration leaseDuration();

    /** A loop that has work and has not moved for this long fails the liveness check. */
    @WithDefault("30s")
    Duration livenessStallTimeout();

    /**
     * Group-commit writer threads (each commits one batch at a time). Those after the first take
     * work only under light load, or while the first is slow on a batch.
     */
    @WithDefault("2")
    int writerThreads();

    /** Most operations in one group-commit transaction. */
    @WithDefault("512")
    int maxBatch();

    /** Most nonpersistent messages held in memory, over all destinations. */
    @WithDefault("100000")
    int nonpersistentCapacity();

    /**
     * Flush the delivery streams by itself when a restored data store is detected at a stream
     * handshake (SIBUS0785E). Off by default: an operator or a person decides.
     */
    @WithDefault("false")
    boolean autoFlushOnRestore();

    /** Most messages sent to another engine in one stream request. */
    @WithDefault("500")
    int streamBatch();

    /** Most messages held for one other engine; sends beyond are refused until it catches up. */
    @WithDefault("100000")
    int maxPendingPerTarget();

    /**
     * The active member vacuums a queue table once it holds this many dead row versions (checked
     * every second); 0 leaves the tables to autovacuum alone.
     */
    @WithDefault("10000")
    long vacuumThreshold();

    /** Test-only: enables the fault-injection endpoints. Never set in production. */
    @WithName("test-faults")
    @WithDefault("false")
    boolean testFaults();
  }

  /** The engine's data store. */
  interface DatastoreSettings {
    /** The schema; derived from the engine name when unset. */
    Optional<String> schema();

    /** Create missing tables at start. */
    @WithDefault("true")
    boolean createTables();

    /** How long a starting member waits for the database before it is disabled. */
    @WithDefault("15M")
    Duration startupTimeout();

    /** A lost connection is a local error (stop, fail over) rather than a wait. */
    @WithDefault("true")
    boolean failoverOnConnectionLoss();
  }

  /**
   * The engine's Lease when {@code sibus.engine.election=kubernetes} (ignored otherwise). The
   * defaults are those of client-go, JOSDK and CloudNativePG; renew-deadline must be shorter than
   * lease-duration so that a member that cannot renew stops before another may take its Lease.
   */
  interface ElectionSettings {
    /** The Lease's name; the engine name when unset. */
    Optional<String> leaseName();

    /**
     * The Lease's namespace; when unset, the variable {@code POD_NAMESPACE}, else the pod's service
     * account namespace, else {@code default}.
     */
    Optional<String> namespace();

    /** How long a Lease that is not renewed keeps standbys from taking it (whole seconds). */
    @WithDefault("15s")
    Duration leaseDuration();

    /** An active member that could not renew its Lease for this long stops (a local error). */
    @WithDefault("10s")
    Duration renewDeadline();

    /** How often the active member renews its Lease. */
    @WithDefault("2s")
    Duration retryPeriod();
  }

  /** Access to the API. */
  interface SecuritySettings {
    /** The bearer token every /api/v1 call must carry. */
    Optional<String> token();

    /** A file holding the token (read at start). */
    Optional<String> tokenFile();
  }
}
