package dev.tether.store.sqlite;

import dev.tether.NodeId;
import dev.tether.spi.MessageChecksum;
import dev.tether.spi.StoredMessage;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * An application table with one text column {@code k} that transactional handlers write in the store's tests, read
 * back afterwards through a connection of its own; and the one-byte message to {@code b} on lane {@code l} that
 * those tests stage and commit beside the handlers' writes.
 */
record AppTable(String name) {
    private static final NodeId B = NodeId.of("b");

    /** Inserts {@code k} through the handler's transaction. */
    void insert(SqliteTransaction tx, String k) throws SQLException {
        PreparedStatement p = tx.prepare("INSERT INTO " + name + " (k) VALUES (?)");
        p.setString(1, k);
        p.executeUpdate();
    }

    /** The keys committed in {@code file}, sorted. */
    List<String> rows(Path file) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
                ResultSet rs = c.createStatement().executeQuery("SELECT k FROM " + name + " ORDER BY k")) {
            while (rs.next()) out.add(rs.getString(1));
        }
        return out;
    }

    /** Message {@code seq} of the stream (b, l). */
    static StoredMessage message(long seq) {
        return new StoredMessage(B, "l", seq, 0, Map.of(), new byte[] {1}, MessageChecksum.UNCHECKED, 1);
    }
}
