package dev.tether.store.sqlite;

import dev.tether.Durability;
import dev.tether.StoreException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * The tables of a store file and how a connection is set up for them: creating them in a new file, migrating
 * an older schema, and refusing files that are not Tether stores or are newer than this code.
 */
final class StoreSchema {
    /** Migration {@code i} turns schema version {@code i} into {@code i + 1}; version 0 is an empty file. */
    private static final List<List<String>> MIGRATIONS = List.of(
            List.of(
                    "CREATE TABLE meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID",
                    "CREATE TABLE outbox (peer TEXT NOT NULL, lane TEXT NOT NULL, seq INTEGER NOT NULL,"
                            + " expires_at INTEGER NOT NULL, headers BLOB NOT NULL, payload BLOB NOT NULL,"
                            + " PRIMARY KEY (peer, lane, seq)) WITHOUT ROWID",
                    "CREATE TABLE streams (peer TEXT NOT NULL, lane TEXT NOT NULL, last_seq INTEGER NOT NULL,"
                            + " acked_seq INTEGER NOT NULL, PRIMARY KEY (peer, lane)) WITHOUT ROWID",
                    "CREATE TABLE cursors (peer TEXT NOT NULL, lane TEXT NOT NULL, sender_epoch INTEGER NOT NULL,"
                            + " processed_seq INTEGER NOT NULL, PRIMARY KEY (peer, lane)) WITHOUT ROWID",
                    "CREATE TABLE dead_letters (id INTEGER PRIMARY KEY, peer TEXT NOT NULL, lane TEXT NOT NULL,"
                            + " sender_epoch INTEGER NOT NULL, seq INTEGER NOT NULL, headers BLOB NOT NULL,"
                            + " payload BLOB NOT NULL, attempts INTEGER NOT NULL, reason TEXT,"
                            + " at_millis INTEGER NOT NULL)",
                    "CREATE TABLE peers (peer TEXT PRIMARY KEY, epoch INTEGER NOT NULL) WITHOUT ROWID"),
            // Version 2: the message checksum. Rows stored before have NULL there: read back as UNCHECKED.
            List.of("ALTER TABLE outbox ADD COLUMN checksum INTEGER"),
            // Version 3: the key-value area (idempotency keys, the event registry).
            KeyValueTable.CREATE,
            // Version 4: channels. A publish is one channel_log row whatever the number of readers; a reader is
            // one channel_readers row (its cursor).
            List.of(
                    "CREATE TABLE channel_log (channel TEXT NOT NULL, seq INTEGER NOT NULL,"
                            + " published_at INTEGER NOT NULL, expires_at INTEGER NOT NULL, headers BLOB NOT NULL,"
                            + " payload BLOB NOT NULL, checksum INTEGER, PRIMARY KEY (channel, seq)) WITHOUT ROWID",
                    "CREATE TABLE channel_logs (channel TEXT PRIMARY KEY, last_seq INTEGER NOT NULL,"
                            + " trimmed_seq INTEGER NOT NULL, bytes INTEGER NOT NULL) WITHOUT ROWID",
                    "CREATE TABLE channel_readers (channel TEXT NOT NULL, reader TEXT NOT NULL,"
                            + " acked_seq INTEGER NOT NULL, PRIMARY KEY (channel, reader)) WITHOUT ROWID",
                    "CREATE TABLE channel_members (channel TEXT PRIMARY KEY, role TEXT NOT NULL) WITHOUT ROWID"),
            // Version 5: when each outbox message was accepted (its age in the pending view). Rows stored before have
            // NULL there: read back as 0, unknown.
            List.of("ALTER TABLE outbox ADD COLUMN accepted_at INTEGER"),
            // Version 6: the message history (Store rules 26-28), empty in a migrated file.
            HistoryTable.CREATE,
            // Version 7: the key-value index by namespace and expiry (Store rule 29: a start reads the idempotency
            // keys it keeps, not every row of the namespace), in place of the one by expiry only.
            KeyValueTable.NEWEST_INDEX);

    private StoreSchema() {}

    /**
     * Configures connection {@code c} to store {@code file} (busy timeout, WAL, synchronous level), creates or
     * migrates the schema, and returns the store's epoch, drawing it from {@code epochs} for a new store.
     */
    static long initialize(Connection c, Path file, Durability durability, Duration busyTimeout, LongSupplier epochs)
            throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("PRAGMA busy_timeout = " + busyTimeout.toMillis());
            int applicationId = (int) queryLong(s, "PRAGMA application_id");
            long tables = queryLong(s, "SELECT count(*) FROM sqlite_master");
            boolean empty = applicationId == 0 && tables == 0;
            if (!empty && applicationId != SqliteStore.APPLICATION_ID) {
                throw new StoreException("file " + file + " is not a Tether store: it is an SQLite database with "
                        + tables + " schema objects and application_id " + applicationId + " (expected "
                        + SqliteStore.APPLICATION_ID + ")");
            }
            if (!empty
                    && queryLong(s, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'meta'") == 0) {
                throw new StoreException(
                        "file " + file + " is not a Tether store: it has Tether's application_id but no meta table");
            }
            String mode = queryString(s, "PRAGMA journal_mode = WAL");
            if (!"wal".equalsIgnoreCase(mode)) {
                throw new StoreException("cannot switch " + file + " to WAL mode (journal_mode is " + mode + ")");
            }
            s.execute("PRAGMA synchronous = " + synchronous(durability));
            // Transactions are explicit (BEGIN/COMMIT on an auto-commit connection): SQLite rolls a transaction
            // back by itself on some errors (SQLITE_FULL, SQLITE_IOERR), which the driver's own transaction
            // tracking does not notice; it would then run the next batch statement by statement.
            s.execute("BEGIN IMMEDIATE");
            try {
                int version = empty ? 0 : schemaVersion(s, file);
                if (version > SqliteStore.SCHEMA_VERSION) {
                    throw new StoreException(
                            "store file " + file + " has schema version " + version + ", newer than version "
                                    + SqliteStore.SCHEMA_VERSION + " supported by this Tether; upgrade Tether");
                }
                if (version < 0)
                    throw new StoreException("store file " + file + " has invalid schema version " + version);
                for (int v = version; v < SqliteStore.SCHEMA_VERSION; v++) {
                    for (String sql : MIGRATIONS.get(v)) s.execute(sql);
                }
                if (empty) {
                    s.execute("PRAGMA application_id = " + SqliteStore.APPLICATION_ID);
                    try (PreparedStatement p =
                            c.prepareStatement("INSERT INTO meta (key, value) VALUES ('epoch', ?)")) {
                        p.setLong(1, epochs.getAsLong());
                        p.executeUpdate();
                    }
                }
                if (version != SqliteStore.SCHEMA_VERSION) { // an open of a current store writes nothing
                    s.execute("INSERT INTO meta (key, value) VALUES ('schema_version', " + SqliteStore.SCHEMA_VERSION
                            + ") ON CONFLICT (key) DO UPDATE SET value = excluded.value");
                }
                Long epoch = metaValue(s, "epoch");
                if (epoch == null || epoch == 0) {
                    throw new StoreException("store file " + file + " is damaged: its meta table has no valid epoch");
                }
                s.execute("COMMIT");
                return epoch;
            } catch (SQLException | RuntimeException e) {
                SqliteErrors.rollbackQuietly(c, e);
                throw e;
            }
        }
    }

    private static int schemaVersion(Statement s, Path file) throws SQLException {
        Long v = metaValue(s, "schema_version");
        if (v == null)
            throw new StoreException("store file " + file + " is damaged: its meta table has no schema_version");
        return (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, v));
    }

    private static Long metaValue(Statement s, String key) throws SQLException {
        try (ResultSet rs = s.executeQuery("SELECT value FROM meta WHERE key = '" + key + "'")) {
            return rs.next() ? rs.getLong(1) : null;
        }
    }

    static long queryLong(Statement s, String sql) throws SQLException {
        try (ResultSet rs = s.executeQuery(sql)) {
            if (!rs.next()) throw new SQLException("no result for " + sql);
            return rs.getLong(1);
        }
    }

    private static String queryString(Statement s, String sql) throws SQLException {
        try (ResultSet rs = s.executeQuery(sql)) {
            if (!rs.next()) throw new SQLException("no result for " + sql);
            return rs.getString(1);
        }
    }

    private static String synchronous(Durability durability) {
        return switch (durability) {
            case FSYNC -> "FULL";
            case OS_BUFFERED -> "NORMAL";
            case MEMORY -> "OFF";
        };
    }
}
