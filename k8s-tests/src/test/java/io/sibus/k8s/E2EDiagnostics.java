package io.sibus.k8s;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.LifecycleMethodExecutionExceptionHandler;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;

/** On a failed end-to-end test: the pods, the engines' status, the events and the pods' logs. */
final class E2EDiagnostics
    implements TestExecutionExceptionHandler, LifecycleMethodExecutionExceptionHandler {
  private static volatile E2ECluster cluster;
  private static volatile String[] namespaces = new String[0];

  static void watch(E2ECluster target, String... ns) {
    cluster = target;
    namespaces = ns;
  }

  @Override
  public void handleBeforeAllMethodExecutionException(ExtensionContext context, Throwable failure)
      throws Throwable {
    handleTestExecutionException(context, failure);
  }

  @Override
  public void handleTestExecutionException(ExtensionContext context, Throwable failure)
      throws Throwable {
    if (cluster != null) {
      try {
        System.out.println(
            "=== diagnostics of "
                + context.getDisplayName()
                + "\n"
                + cluster.diagnostics(namespaces));
      } catch (RuntimeException e) {
        System.out.println("(diagnostics failed: " + e + ")");
      }
    }
    throw failure;
  }
}
