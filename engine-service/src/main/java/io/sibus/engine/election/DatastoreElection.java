package io.sibus.engine.election;

import io.sibus.engine.config.ElectionKind;
import io.sibus.engine.store.StoreFailures;

/**
 * The standalone election: every standby may try at any time, and the data store's advisory lock
 * alone picks the active member (released by PostgreSQL the moment a killed holder's connection
 * closes). Nothing to renew or give back.
 */
public final class DatastoreElection implements Election {
  @Override
  public ElectionKind kind() {
    return ElectionKind.DATASTORE;
  }

  @Override
  public boolean mayTry() {
    return true;
  }

  @Override
  public void activated(StoreFailures failures) {}

  @Override
  public void standDown() {}

  @Override
  public void release() {}
}
