package io.sibus.engine.error;

import io.sibus.datastore.ErrorClass;
import io.sibus.datastore.StoreException;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.atomic.AtomicReference;
import org.jboss.logging.Logger;

/**
 * Where classified errors are logged (code, explanation, user action) and remembered as the
 * engine's last error. Every error of the engine passes here exactly once.
 */
@ApplicationScoped
public class ErrorLog {
  private static final Logger LOG = Logger.getLogger("io.sibus.engine");
  private final AtomicReference<EngineError> last = new AtomicReference<>();

  public EngineError report(ErrorClass errorClass, String code, String message, String userAction) {
    EngineError error = EngineError.now(errorClass, code, message, userAction);
    last.set(error);
    String line = code + " " + message + " User action: " + userAction;
    if (code.endsWith("W")) {
      LOG.warn(line);
    } else {
      LOG.error(line);
    }
    return error;
  }

  public EngineError report(StoreException e) {
    return report(e.errorClass(), e.code(), e.getMessage(), e.userAction());
  }

  /** Logs an error line that explains another, already reported, error (not remembered). */
  public void explain(String code, String message, String userAction) {
    LOG.error(code + " " + message + " User action: " + userAction);
  }

  /** Informational messages with a code (SIBUS1538I, SIBUS0780I, ...): logged, not remembered. */
  public void info(String code, String message) {
    LOG.info(code + " " + message);
  }

  public EngineError last() {
    return last.get();
  }

  public void clear() {
    last.set(null);
  }
}
