package dev.tether.store.sqlite;

import dev.tether.NodeId;
import dev.tether.spi.DeadLetter;
import dev.tether.spi.DeadLetterIndexEntry;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * The reads of table {@code dead_letters} (its writes are {@link BatchWriter}'s): the dead letters oldest first, and
 * their index without payloads (Store rule 24), whose lengths SQLite gives without handing the bytes to Java. Holds
 * the prepared statements. Not thread-safe: the store's thread.
 */
final class DeadLetterTable {
    private final PreparedStatement read;
    private final PreparedStatement index;

    DeadLetterTable(Connection c) throws SQLException {
        read = c.prepareStatement("SELECT peer, lane, sender_epoch, seq, headers, payload, attempts, reason,"
                + " at_millis FROM dead_letters ORDER BY id LIMIT ?");
        index = c.prepareStatement(
                "SELECT peer, lane, sender_epoch, seq, length(payload), at_millis FROM dead_letters ORDER BY id");
    }

    /** Up to {@code max} (at least 1) dead letters, oldest first. */
    List<DeadLetter> read(int max) throws SQLException {
        read.setInt(1, max);
        List<DeadLetter> out = new ArrayList<>();
        try (ResultSet rs = read.executeQuery()) {
            while (rs.next()) {
                out.add(new DeadLetter(
                        NodeId.of(rs.getString(1)),
                        rs.getString(2),
                        rs.getLong(3),
                        rs.getLong(4),
                        HeaderCodec.decode(rs.getBytes(5)),
                        Rows.nonNull(rs.getBytes(6)),
                        rs.getInt(7),
                        rs.getString(8),
                        rs.getLong(9)));
            }
        }
        return out;
    }

    /** The index of every dead letter, oldest first (a NULL payload, stored empty, has length 0). */
    List<DeadLetterIndexEntry> index() throws SQLException {
        List<DeadLetterIndexEntry> out = new ArrayList<>();
        try (ResultSet rs = index.executeQuery()) {
            while (rs.next()) {
                out.add(new DeadLetterIndexEntry(
                        NodeId.of(rs.getString(1)),
                        rs.getString(2),
                        rs.getLong(3),
                        rs.getLong(4),
                        rs.getInt(5),
                        rs.getLong(6)));
            }
        }
        return out;
    }
}
