package io.sibus.engine.it;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * One {@link EngineCluster} per test class: PostgreSQL is started once, members and data stores are
 * reset after every test, and the members' logs are printed when a test fails.
 */
final class ClusterExtension
    implements BeforeAllCallback, AfterAllCallback, AfterEachCallback, TestWatcher {
  private final String name;
  private final boolean resetEachTest;
  private EngineCluster cluster;

  /** A cluster reset after every test. */
  ClusterExtension(String name) {
    this(name, true);
  }

  ClusterExtension(String name, boolean resetEachTest) {
    this.name = name;
    this.resetEachTest = resetEachTest;
  }

  EngineCluster get() {
    return cluster;
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    cluster = new EngineCluster(name);
  }

  @Override
  public void testFailed(ExtensionContext context, Throwable cause) {
    System.err.println(
        "----- logs of the members of the failed test " + context.getDisplayName() + " -----");
    System.err.println(cluster.logs());
  }

  @Override
  public void afterEach(ExtensionContext context) {
    if (resetEachTest) {
      cluster.reset();
    }
  }

  @Override
  public void afterAll(ExtensionContext context) {
    cluster.close();
  }
}
