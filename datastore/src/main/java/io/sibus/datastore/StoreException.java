package io.sibus.datastore;

/**
 * A classified failure of the data store: it carries the sibus message code, the error class that
 * decides what the engine does next, what happened and what the user should do about it.
 */
public class StoreException extends RuntimeException {
  private final ErrorClass errorClass;
  private final String code;
  private final String userAction;

  public StoreException(
      ErrorClass errorClass, String code, String message, String userAction, Throwable cause) {
    super(message, cause);
    this.errorClass = errorClass;
    this.code = code;
    this.userAction = userAction;
  }

  public StoreException(ErrorClass errorClass, String code, String message, String userAction) {
    this(errorClass, code, message, userAction, null);
  }

  public ErrorClass errorClass() {
    return errorClass;
  }

  public String code() {
    return code;
  }

  public String userAction() {
    return userAction;
  }
}
