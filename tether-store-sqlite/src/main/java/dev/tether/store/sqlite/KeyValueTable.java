package dev.tether.store.sqlite;

import dev.tether.spi.KeyValue;
import dev.tether.spi.WriteBatch;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The key-value area of a store file (table {@code kv}, schema version 3; index {@code kv_newest}, version 7): its
 * writes within the batch transaction and its reads. Holds the prepared statements. Not thread-safe: the store's thread.
 */
final class KeyValueTable {
    /** The table and its expiry index, created by the migration to schema version 3 (the index: until version 7). */
    static final List<String> CREATE = List.of(
            "CREATE TABLE kv (namespace TEXT NOT NULL, key TEXT NOT NULL, value BLOB NOT NULL,"
                    + " expires_at INTEGER NOT NULL, PRIMARY KEY (namespace, key)) WITHOUT ROWID",
            "CREATE INDEX kv_expiry ON kv (expires_at) WHERE expires_at > 0");

    /**
     * The migration to schema version 7: index {@code kv_newest}, in (namespace, expiry, key) order, finds a
     * namespace's newest entries (Store rule 29) without reading the others: both reads of {@link #newest} walk it
     * backwards from the end of their range and stop after {@code max} rows. It replaces {@code kv_expiry} (expiry
     * only), which served nothing but the removal of expired entries: {@link #removeExpired} takes those namespace
     * by namespace from the new index, so that a key-value write still updates one index, not two.
     */
    static final List<String> NEWEST_INDEX =
            List.of("DROP INDEX kv_expiry", "CREATE INDEX kv_newest ON kv (namespace, expires_at, key)");

    // INDEXED BY: a file without the index fails at the open, rather than reading whole namespaces at every start and
    // every removal of expired entries. The statements are here for tests that ask SQLite for their plans.
    static final String DELETE_EXPIRED =
            "DELETE FROM kv INDEXED BY kv_newest WHERE namespace = ? AND expires_at > 0 AND expires_at <= ?";
    private static final String NEWEST =
            "SELECT key, value, expires_at FROM kv INDEXED BY kv_newest WHERE namespace = ?";
    static final String NEWEST_NEVER_EXPIRING =
            NEWEST + " AND expires_at = 0 ORDER BY expires_at DESC, key DESC LIMIT ?";
    static final String NEWEST_EXPIRING = NEWEST + " AND expires_at > ? ORDER BY expires_at DESC, key DESC LIMIT ?";

    private final PreparedStatement upsert;
    private final PreparedStatement delete;
    private final PreparedStatement deleteExpired;
    private final PreparedStatement nextNamespace;
    private final PreparedStatement selectFirst;
    private final PreparedStatement selectAfter;
    private final PreparedStatement selectNewestExpiring;
    private final PreparedStatement selectNewestNeverExpiring;

    KeyValueTable(Connection c) throws SQLException {
        upsert = c.prepareStatement(
                "INSERT INTO kv (namespace, key, value, expires_at) VALUES (?, ?, ?, ?)"
                        + " ON CONFLICT (namespace, key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at");
        delete = c.prepareStatement("DELETE FROM kv WHERE namespace = ? AND key = ?");
        deleteExpired = c.prepareStatement(DELETE_EXPIRED);
        nextNamespace = c.prepareStatement("SELECT namespace FROM kv WHERE namespace > ? ORDER BY namespace LIMIT 1");
        String select =
                "SELECT key, value, expires_at FROM kv WHERE namespace = ?" + " AND (expires_at = 0 OR expires_at > ?)";
        selectFirst = c.prepareStatement(select + " ORDER BY key LIMIT ?");
        selectAfter = c.prepareStatement(select + " AND key > ? ORDER BY key LIMIT ?");
        selectNewestNeverExpiring = c.prepareStatement(NEWEST_NEVER_EXPIRING);
        selectNewestExpiring = c.prepareStatement(NEWEST_EXPIRING);
    }

    /** Runs the batch's key-value writes in batch order (the last write of a key wins). */
    void writeKeys(WriteBatch batch) throws SQLException {
        for (WriteBatch.KeyWrite w : batch.keyWrites()) {
            if (w.isDelete()) {
                delete.setString(1, w.namespace());
                delete.setString(2, w.key());
                delete.executeUpdate();
            } else {
                KeyValue kv = w.put();
                upsert.setString(1, kv.namespace());
                upsert.setString(2, kv.key());
                upsert.setBytes(3, kv.value());
                upsert.setLong(4, kv.expiresAtMillis());
                upsert.executeUpdate();
            }
        }
    }

    /** Deletes the entries expired at the batch's {@link WriteBatch#removeExpiredAt()}, if it asks for it. */
    void removeExpired(WriteBatch batch) throws SQLException {
        if (batch.removeExpiredAt() == 0) return;
        // Namespaces are few (one per user of the area); each step to the next is a seek in the primary key.
        for (String ns = nextNamespace(""); ns != null; ns = nextNamespace(ns)) {
            deleteExpired.setString(1, ns);
            deleteExpired.setLong(2, batch.removeExpiredAt());
            deleteExpired.executeUpdate();
        }
    }

    /** The first namespace after {@code after} that has an entry, or null. */
    private String nextNamespace(String after) throws SQLException {
        nextNamespace.setString(1, after);
        try (ResultSet rs = nextNamespace.executeQuery()) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    /** Reads up to {@code max} live entries of {@code namespace} after {@code afterKey} (null: from the first). */
    List<KeyValue> read(String namespace, String afterKey, long nowMillis, int max) throws SQLException {
        PreparedStatement p = afterKey == null ? selectFirst : selectAfter;
        p.setString(1, namespace);
        p.setLong(2, nowMillis);
        if (afterKey == null) {
            p.setInt(3, max);
        } else {
            p.setString(3, afterKey);
            p.setInt(4, max);
        }
        List<KeyValue> out = new ArrayList<>();
        readRows(p, namespace, out);
        return out;
    }

    /**
     * Reads the {@code max} live entries of {@code namespace} that come last in {@link KeyValue#EXPIRY_ORDER}, in
     * that order (Store rule 29): first those that never expire (which come last), then, for the rest of {@code max},
     * the live ones that expire latest; each read walks {@code kv_newest} backwards and stops after its limit.
     */
    List<KeyValue> newest(String namespace, long nowMillis, int max) throws SQLException {
        List<KeyValue> latestFirst = new ArrayList<>();
        selectNewestNeverExpiring.setString(1, namespace);
        selectNewestNeverExpiring.setInt(2, max);
        readRows(selectNewestNeverExpiring, namespace, latestFirst);
        if (latestFirst.size() < max) {
            selectNewestExpiring.setString(1, namespace);
            selectNewestExpiring.setLong(2, nowMillis);
            selectNewestExpiring.setInt(3, max - latestFirst.size());
            readRows(selectNewestExpiring, namespace, latestFirst);
        }
        Collections.reverse(latestFirst);
        return latestFirst;
    }

    private static void readRows(PreparedStatement p, String namespace, List<KeyValue> out) throws SQLException {
        try (ResultSet rs = p.executeQuery()) {
            while (rs.next()) {
                byte[] value = rs.getBytes(2);
                out.add(new KeyValue(namespace, rs.getString(1), value == null ? new byte[0] : value, rs.getLong(3)));
            }
        }
    }
}
