package io.sibus.engine.streams;

import io.sibus.datastore.StreamStore;
import io.sibus.engine.error.ErrorLog;
import io.sibus.engine.health.Faults;
import io.sibus.engine.store.GroupCommit;
import io.sibus.engine.store.StoreFailures;
import javax.sql.DataSource;

/** What the stream senders of one activation share. */
record StreamContext(
    String engine,
    GroupCommit writer,
    DataSource dataSource,
    StreamStore store,
    Peers peers,
    ErrorLog errors,
    StoreFailures failures,
    Faults faults,
    int batch,
    boolean autoFlush) {}
