package io.sibus.datastore;

/**
 * The store records a global error: no member may activate until a person clears it. Not an error
 * of the member that meets it (it stays a standby), hence its own type.
 */
public class FailoverSuppressedException extends StoreException {
  public FailoverSuppressedException(String code, String message) {
    super(
        ErrorClass.GLOBAL,
        "SIBUS0050E",
        "Failover is suppressed: the engine stopped with a global error ("
            + code
            + ": "
            + message
            + ") and will not be started on another member.",
        "Correct the cause, then start the engine again (POST /api/v1/engine/start, or the"
            + " sibus.io/clear-global-error annotation on Kubernetes).");
  }
}
