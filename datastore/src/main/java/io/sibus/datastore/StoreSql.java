package io.sibus.datastore;

/**
 * Every statement sibus runs against a data store, in one place. The schema name is validated by
 * {@link SchemaName} and quoted; every value is a bound parameter.
 */
public final class StoreSql {
  static final String MESSAGE_COLUMNS =
      "seq, message_id, destination, priority, reliability, content_type, correlation_id,"
          + " properties, body, enqueued_at, expires_at, delivery_count, checksum";

  // Verification (not schema-qualified: the schema is a bound parameter).
  public static final String COLUMNS =
      "SELECT table_name, column_name, data_type FROM information_schema.columns"
          + " WHERE table_schema = ?";

  // Exclusive access (session-level, on the member's lock connection).
  public static final String TRY_LOCK = "SELECT pg_try_advisory_lock(?)";
  public static final String UNLOCK = "SELECT pg_advisory_unlock(?)";
  public static final String LOCK_HOLDER =
      "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted"
          + " AND classid::bigint = ? AND objid::bigint = ? AND objsubid = 1";
  public static final String TERMINATE = "SELECT pg_terminate_backend(?)";

  /** Taken by a takeover: waits until every fenced write transaction of the old holder ends. */
  public static final String FENCE_EXCLUSIVE = "SELECT pg_advisory_xact_lock(?, ?)";

  /**
   * The first statement of the epoch fence, which opens a fenced transaction that reads before its
   * commit: the fence's checks need a snapshot each.
   */
  static final String READ_COMMITTED = "SET TRANSACTION ISOLATION LEVEL READ COMMITTED";

  /**
   * The first statement of a fenced transaction that travels whole in one round trip: it begins the
   * transaction itself, in READ COMMITTED (see {@link StatementPipeline#commit}).
   */
  static final String BEGIN_READ_COMMITTED = "BEGIN ISOLATION LEVEL READ COMMITTED";

  public static final String SESSION_KEEPALIVES =
      "SELECT set_config('tcp_keepalives_idle', '5', false),"
          + " set_config('tcp_keepalives_interval', '2', false),"
          + " set_config('tcp_keepalives_count', '3', false)";
  public static final String PING = "SELECT 1";

  final String selectOwner;
  final String selectOwnerForUpdate;
  final String insertOwner;
  final String activate;
  final String fence;
  final String fencedCommit;
  final String suppress;
  final String clearSuppression;
  final String anyRows;
  final String upsertLease;
  final String readLease;
  final String insertMessage;
  final String lockForDelivery;
  final String deleteMessages;
  final String unlockMessages;
  final String selectMessageForUpdate;
  final String moveMessage;
  final String loadIndex;
  final String maxSeq;
  final String readAllMessages;
  final String releaseExpiredLocks;
  final String deleteExpired;
  final String countByDestination;
  final String existingIds;
  final String restoreTemp;
  final String salvage;
  final String notBroughtBack;
  final String restoreMessages;
  final String countRestoreMessages;
  final String currentEpoch;
  final String keepEpoch;
  final String resetTransmitPositions;
  final String reserveIdempotency;
  final String findIdempotency;
  final String purgeIdempotency;

  final String streamsOut;
  final String createStreamOut;
  final String reserveTicks;
  final String insertTransmit;
  final String readTransmit;
  final String deleteTransmitUpTo;
  final String ackStreamOut;
  final String unassigned;
  final String assignTicks;
  final String unassignAll;
  final String resetStreamOut;
  final String countTransmit;
  final String streamIn;
  final String upsertStreamIn;
  final String seenIds;
  final String insertSeen;
  final String purgeSeen;

  public StoreSql(SchemaName schema) {
    String owner = schema.qualify(StoreTables.OWNER.name());
    String lease = schema.qualify(StoreTables.LEASE.name());
    String message = schema.qualify(StoreTables.MESSAGE.name());
    String idempotency = schema.qualify(StoreTables.IDEMPOTENCY.name());
    String ownerColumns =
        "engine_uuid, bus_name, engine_name, schema_version, incarnation, epoch, active_member,"
            + " active_url, suppressed_code, suppressed_message";

    selectOwner = "SELECT " + ownerColumns + " FROM " + owner + " WHERE id = 1";
    selectOwnerForUpdate = selectOwner + " FOR UPDATE";
    insertOwner =
        "INSERT INTO "
            + owner
            + " (id, engine_uuid, bus_name, engine_name, schema_version, incarnation, epoch,"
            + " created_at, activated_at, active_member, active_url)"
            + " VALUES (1, ?, ?, ?, ?, ?, 1, now(), now(), ?, ?)";
    activate =
        "UPDATE "
            + owner
            + " SET epoch = epoch + 1, incarnation = ?, activated_at = now(), active_member = ?,"
            + " active_url = ? WHERE id = 1 RETURNING epoch";
    // In one round trip: the epoch read takes its snapshot after the shared lock is granted, so it
    // sees the epoch of any takeover that committed meanwhile. That holds in READ COMMITTED only
    // (a snapshot per statement), which the transaction pins first: a database or role that
    // defaults to REPEATABLE READ would otherwise give it one snapshot, taken before the wait.
    fence =
        READ_COMMITTED
            + "; SELECT pg_advisory_xact_lock_shared(?, ?); SELECT epoch FROM "
            + owner
            + " WHERE id = 1";
    // The commit, sent with a transaction's last statements: the check fails (division by zero)
    // unless the store is still at the held epoch, which aborts the transaction, so the COMMIT
    // behind it commits nothing. The shared lock (taken here, or again, which is immediate for the
    // transaction that holds it) keeps the epoch from moving between the check and the COMMIT; the
    // check's snapshot, taken once the lock is granted, sees a takeover that it waited for (READ
    // COMMITTED, which the transaction's first statement pins). Its division is the only one in the
    // engine that can meet a zero: a 22012 is taken for a failed epoch check
    // (Ownership.failedEpochCheck), so no other statement may divide by what can be zero.
    fencedCommit =
        "SELECT pg_advisory_xact_lock_shared(?, ?); SELECT 1 / (SELECT count(*)::int FROM "
            + owner
            + " WHERE id = 1 AND epoch = ?); COMMIT";
    suppress =
        "UPDATE "
            + owner
            + " SET suppressed_code = ?, suppressed_message = ?, suppressed_at = now()"
            + " WHERE id = 1 AND engine_uuid = ?";
    clearSuppression =
        "UPDATE "
            + owner
            + " SET suppressed_code = NULL, suppressed_message = NULL, suppressed_at = NULL"
            + " WHERE id = 1";
    String streamOut = schema.qualify(StoreTables.STREAM_OUT.name());
    String transmit = schema.qualify(StoreTables.TRANSMIT.name());
    String streamInTable = schema.qualify(StoreTables.STREAM_IN.name());
    String seen = schema.qualify(StoreTables.SEEN.name());
    anyRows =
        "SELECT EXISTS (SELECT 1 FROM "
            + transmit
            + ") OR EXISTS (SELECT 1 FROM "
            + streamInTable
            + ") OR EXISTS (SELECT 1 FROM "
            + message
            + ") OR EXISTS (SELECT 1 FROM "
            + idempotency
            + ") OR EXISTS (SELECT 1 FROM "
            + lease
            + ")";

    upsertLease =
        "INSERT INTO "
            + lease
            + " (id, holder, holder_pid, heartbeat_at) VALUES (1, ?, pg_backend_pid(), now())"
            + " ON CONFLICT (id) DO UPDATE SET holder = EXCLUDED.holder,"
            + " holder_pid = EXCLUDED.holder_pid, heartbeat_at = EXCLUDED.heartbeat_at";
    readLease =
        "SELECT holder, holder_pid, (extract(epoch FROM now() - heartbeat_at) * 1000)::bigint"
            + " FROM "
            + lease
            + " WHERE id = 1";

    // All rows of a batch as one statement of arrays, so that it can share a round trip with the
    // other statements of its transaction (StatementPipeline); times travel as epoch milliseconds.
    // Strings come as varchar[], the type the driver gives a String[] (MessageInsert): a text[]
    // cast would copy each array once more, and a varchar goes into a text column as it is.
    insertMessage =
        "INSERT INTO "
            + message
            + " (seq, message_id, destination, priority, reliability, content_type,"
            + " correlation_id, properties, body, enqueued_at, expires_at, delivery_count,"
            + " checksum) SELECT u.seq, u.message_id, u.destination, u.priority, u.reliability,"
            + " u.content_type, u.correlation_id, u.properties, u.body,"
            + " timestamptz 'epoch' + u.enqueued * interval '1 millisecond',"
            + " timestamptz 'epoch' + u.expires * interval '1 millisecond', 0, u.checksum"
            + " FROM unnest(?::bigint[], ?::varchar[], ?::varchar[], ?::smallint[], ?::smallint[],"
            + " ?::varchar[], ?::varchar[], ?::varchar[], ?::bytea[], ?::bigint[], ?::bigint[],"
            + " ?::bigint[])"
            + " AS u(seq, message_id, destination, priority, reliability, content_type,"
            + " correlation_id, properties, body, enqueued, expires, checksum)";
    lockForDelivery =
        "UPDATE "
            + message
            + " m SET delivery_count = m.delivery_count + 1, receipt = u.receipt::uuid,"
            + " locked_until = to_timestamp(u.until / 1000.0)"
            + " FROM unnest(?::bigint[], ?::varchar[], ?::bigint[]) AS u(seq, receipt, until)"
            + " WHERE m.seq = u.seq RETURNING "
            + prefixed("m.", MESSAGE_COLUMNS);
    deleteMessages = "DELETE FROM " + message + " WHERE seq = ANY(?)";
    unlockMessages =
        "UPDATE " + message + " SET receipt = NULL, locked_until = NULL WHERE seq = ANY(?)";
    selectMessageForUpdate =
        "SELECT " + MESSAGE_COLUMNS + " FROM " + message + " WHERE seq = ? FOR UPDATE";
    moveMessage =
        "UPDATE "
            + message
            + " SET destination = ?, properties = ?, checksum = ?, delivery_count = 0, receipt = NULL,"
            + " locked_until = NULL WHERE seq = ?";
    loadIndex =
        "SELECT seq, message_id, destination, priority, reliability, expires_at, delivery_count,"
            + " receipt, locked_until FROM "
            + message
            + " ORDER BY seq";
    maxSeq = "SELECT coalesce(max(seq), 0) FROM " + message;
    readAllMessages = "SELECT " + MESSAGE_COLUMNS + " FROM " + message + " ORDER BY seq";
    releaseExpiredLocks =
        "UPDATE "
            + message
            + " SET receipt = NULL, locked_until = NULL"
            + " WHERE locked_until IS NOT NULL AND locked_until < now()";
    deleteExpired =
        "DELETE FROM " + message + " WHERE expires_at IS NOT NULL AND expires_at < now()";
    existingIds = "SELECT message_id FROM " + message + " WHERE message_id = ANY(?)";
    // Restore: the backup's messages are loaded into a temporary table first, so that what the
    // current store holds and the backup does not can be kept (salvaged) or reported.
    restoreTemp = "CREATE TEMP TABLE sibus_restore_message (LIKE " + message + ") ON COMMIT DROP";
    String notInBackup =
        " WHERE NOT EXISTS (SELECT 1 FROM sibus_restore_message r WHERE r.message_id ="
            + " cur.message_id)";
    salvage =
        "SELECT "
            + prefixed("cur.", MESSAGE_COLUMNS)
            + " FROM "
            + message
            + " cur"
            + notInBackup
            + " AND (cur.destination = ? OR NOT (cur.destination = ANY(?))) ORDER BY cur.seq";
    notBroughtBack =
        "SELECT cur.destination, count(*) FROM "
            + message
            + " cur"
            + notInBackup
            + " AND cur.destination <> ? AND cur.destination = ANY(?) GROUP BY cur.destination";
    restoreMessages = "INSERT INTO " + message + " SELECT * FROM sibus_restore_message";
    countRestoreMessages = "SELECT count(*) FROM sibus_restore_message";
    currentEpoch = "SELECT epoch FROM " + owner + " WHERE id = 1";
    // One past both: a member that still holds the old epoch (one that was reported stopped but
    // was not) fails its fence at its next transaction instead of writing into the restored store.
    keepEpoch = "UPDATE " + owner + " SET epoch = GREATEST(epoch, ?) + 1 WHERE id = 1";
    resetTransmitPositions =
        "SELECT setval(pg_get_serial_sequence('"
            + transmit.replace("\"", "")
            + "', 'position'), (SELECT coalesce(max(position), 0) + 1 FROM "
            + transmit
            + "), false)";
    countByDestination =
        "SELECT destination, count(*) FROM " + message + " GROUP BY destination ORDER BY 1";

    reserveIdempotency =
        "INSERT INTO "
            + idempotency
            + " (destination, idempotency_key, message_id, created_at)"
            + " SELECT d, k, m, now() FROM unnest(?::text[], ?::text[], ?::text[]) AS u(d, k, m)"
            + " ON CONFLICT DO NOTHING RETURNING destination, idempotency_key";
    findIdempotency =
        "SELECT message_id FROM " + idempotency + " WHERE destination = ? AND idempotency_key = ?";
    streamsOut = "SELECT target, reliability, stream_id, next_tick, acked_prefix FROM " + streamOut;
    createStreamOut =
        "INSERT INTO "
            + streamOut
            + " (target, reliability, stream_id, next_tick, acked_prefix) VALUES (?, ?, ?, 1, 0)"
            + " ON CONFLICT DO NOTHING";
    // Ticks are assigned by the stream's sender, after its handshake, under the stream row's
    // lock: contiguous, in the order messages were stored, and never before the receiver's state
    // is known.
    reserveTicks =
        "UPDATE "
            + streamOut
            + " SET next_tick = next_tick + ? WHERE target = ? AND reliability = ?"
            + " RETURNING next_tick, stream_id";
    String transmitColumns =
        "target, reliability, tick, message_id, destination, priority, content_type,"
            + " correlation_id, properties, body, enqueued_at, expires_at, checksum";
    insertTransmit =
        "INSERT INTO "
            + transmit
            + " (target, reliability, message_id, destination, priority, content_type,"
            + " correlation_id, properties, body, enqueued_at, expires_at, checksum)"
            + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
    readTransmit =
        "SELECT "
            + transmitColumns
            + " FROM "
            + transmit
            + " WHERE target = ? AND reliability = ? AND tick > ? ORDER BY tick LIMIT ?";
    deleteTransmitUpTo =
        "DELETE FROM " + transmit + " WHERE target = ? AND reliability = ? AND tick <= ?";
    ackStreamOut =
        "UPDATE "
            + streamOut
            + " SET acked_prefix = GREATEST(acked_prefix, ?) WHERE target = ? AND reliability = ?"
            + " AND stream_id = ?";
    unassigned =
        "SELECT position FROM "
            + transmit
            + " WHERE target = ? AND reliability = ? AND tick IS NULL ORDER BY position LIMIT ?"
            + " FOR UPDATE";
    assignTicks =
        "UPDATE "
            + transmit
            + " t SET tick = u.tick FROM unnest(?::bigint[], ?::bigint[]) AS u(position, tick)"
            + " WHERE t.position = u.position";
    unassignAll = "UPDATE " + transmit + " SET tick = NULL WHERE target = ? AND reliability = ?";
    resetStreamOut =
        "UPDATE "
            + streamOut
            + " SET stream_id = ?, next_tick = 1, acked_prefix = 0"
            + " WHERE target = ? AND reliability = ?";
    countTransmit = "SELECT target, count(*) FROM " + transmit + " GROUP BY target ORDER BY 1";
    streamIn =
        "SELECT stream_id, completed_prefix FROM "
            + streamInTable
            + " WHERE source = ? AND reliability = ? FOR UPDATE";
    upsertStreamIn =
        "INSERT INTO "
            + streamInTable
            + " (source, reliability, stream_id, completed_prefix) VALUES (?, ?, ?, ?)"
            + " ON CONFLICT (source, reliability) DO UPDATE SET stream_id = EXCLUDED.stream_id,"
            + " completed_prefix = EXCLUDED.completed_prefix";
    seenIds = "SELECT message_id FROM " + seen + " WHERE message_id = ANY(?)";
    insertSeen =
        "INSERT INTO "
            + seen
            + " (message_id, source, received_at) SELECT m, ?, now() FROM unnest(?::text[]) AS"
            + " u(m) ON CONFLICT DO NOTHING";
    purgeSeen =
        "DELETE FROM " + seen + " WHERE received_at < now() - (? * interval '1 millisecond')";
    purgeIdempotency =
        "DELETE FROM " + idempotency + " WHERE created_at < now() - (? * interval '1 millisecond')";
  }

  /** {@code COPY (SELECT * FROM table) TO STDOUT} in binary format: one table of a backup. */
  public static String copyOut(SchemaName schema, Table table) {
    return "COPY (SELECT * FROM " + schema.qualify(table.name()) + ") TO STDOUT (FORMAT binary)";
  }

  /** {@code COPY table FROM STDIN} in binary format. */
  public static String copyIn(String qualifiedTable) {
    return "COPY " + qualifiedTable + " FROM STDIN (FORMAT binary)";
  }

  public static String countRows(SchemaName schema, Table table) {
    return "SELECT count(*) FROM " + schema.qualify(table.name());
  }

  public static final String SNAPSHOT =
      "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY";

  private static String prefixed(String prefix, String columns) {
    StringBuilder out = new StringBuilder();
    for (String column : columns.split(",")) {
      if (out.length() > 0) {
        out.append(", ");
      }
      out.append(prefix).append(column.trim());
    }
    return out.toString();
  }
}
