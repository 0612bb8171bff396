package dev.tether.store.sqlite;

import dev.tether.spi.KeyValue;
import dev.tether.spi.WriteBatch;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * The key-value area of a store file (table {@code kv}, schema version 3): its writes within the batch transaction
 * and its reads. Holds the prepared statements. Not thread-safe: the store's thread.
 */
final class KeyValueTable {
    /** The table and its expiry index, created by the migration to schema version 3. */
    static final List<String> CREATE = List.of(
            "CREATE TABLE kv (namespace TEXT NOT NULL, key TEXT NOT NULL, value BLOB NOT NULL,"
                    + " expires_at INTEGER NOT NULL, PRIMARY KEY (namespace, key)) WITHOUT ROWID",
            "CREATE INDEX kv_expiry ON kv (expires_at) WHERE expires_at > 0");

    private final PreparedStatement upsert;
    private final PreparedStatement delete;
    private final PreparedStatement deleteExpired;
    private final PreparedStatement selectFirst;
    private final PreparedStatement selectAfter;

    KeyValueTable(Connection c) throws SQLException {
        upsert = c.prepareStatement(
                "INSERT INTO kv (namespace, key, value, expires_at) VALUES (?, ?, ?, ?)"
                        + " ON CONFLICT (namespace, key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at");
        delete = c.prepareStatement("DELETE FROM kv WHERE namespace = ? AND key = ?");
        deleteExpired = c.prepareStatement("DELETE FROM kv WHERE expires_at > 0 AND expires_at <= ?");
        String select =
                "SELECT key, value, expires_at FROM kv WHERE namespace = ?" + " AND (expires_at = 0 OR expires_at > ?)";
        selectFirst = c.prepareStatement(select + " ORDER BY key LIMIT ?");
        selectAfter = c.prepareStatement(select + " AND key > ? ORDER BY key LIMIT ?");
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
        deleteExpired.setLong(1, batch.removeExpiredAt());
        deleteExpired.executeUpdate();
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
        try (ResultSet rs = p.executeQuery()) {
            while (rs.next()) {
                byte[] value = rs.getBytes(2);
                out.add(new KeyValue(namespace, rs.getString(1), value == null ? new byte[0] : value, rs.getLong(3)));
            }
        }
        return out;
    }
}
