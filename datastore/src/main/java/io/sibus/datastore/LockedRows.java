package io.sibus.datastore;

import java.util.List;

/**
 * What a delivery lock read back: the rows it locked, and the first row among them found corrupted
 * (null when none was). A corrupted row does not fail the read, which travels with the commit: the
 * caller fails the delivery after the commit, as it does for a row that fails its checksum.
 */
public record LockedRows(List<MessageRow> rows, StoreException corrupted) {}
