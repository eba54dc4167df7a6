package io.sibus.datastore;

import java.util.List;
import java.util.Map;

/**
 * What a delivery lock read back: the rows it locked, and the rows among them found corrupted, by
 * sequence number. A corrupted row does not fail the read, which travels with the commit: the
 * delivery that locked it fails after the commit, as one whose row fails its checksum does.
 */
public record LockedRows(List<MessageRow> rows, Map<Long, StoreException> corrupted) {}
