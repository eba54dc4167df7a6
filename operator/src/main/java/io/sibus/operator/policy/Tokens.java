package io.sibus.operator.policy;

/**
 * The one-shot tokens of an engine: what its annotations ask for and what the operator has already
 * observed (from status). A token acts when its value differs from the observed one.
 */
public record Tokens(
    String restartAfterRestore,
    String observedRestartAfterRestore,
    String recovery,
    String observedRecovery,
    String clearGlobalError,
    String observedClearGlobalError,
    String reenableMembers,
    String observedReenableMembers) {

  public boolean newRestartAfterRestore() {
    return isNew(restartAfterRestore, observedRestartAfterRestore);
  }

  public boolean newRecovery() {
    return isNew(recovery, observedRecovery);
  }

  public boolean newClearGlobalError() {
    return isNew(clearGlobalError, observedClearGlobalError);
  }

  public boolean newReenableMembers() {
    return isNew(reenableMembers, observedReenableMembers);
  }

  private static boolean isNew(String token, String observed) {
    return token != null && !token.isBlank() && !token.equals(observed);
  }
}
