package dev.tether.store.sqlite;

import dev.tether.NodeId;
import dev.tether.spi.StoredMessage;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * The read of table {@code outbox} (its writes are {@link BatchWriter}'s): one stream's messages from a sequence
 * number on, a primary-key range. Holds the prepared statement. Not thread-safe: the store's thread.
 */
final class OutboxReader {
    private final PreparedStatement read;

    OutboxReader(Connection c) throws SQLException {
        read = c.prepareStatement("SELECT seq, expires_at, headers, payload, checksum, accepted_at FROM outbox"
                + " WHERE peer = ? AND lane = ? AND seq >= ? ORDER BY seq LIMIT ?");
    }

    /** Up to {@code max} (at least 1) messages of stream (to, lane) with {@code seq >= fromSeq}, ascending. */
    List<StoredMessage> read(NodeId to, String lane, long fromSeq, int max) throws SQLException {
        read.setString(1, to.value());
        read.setString(2, lane);
        read.setLong(3, fromSeq);
        read.setInt(4, max);
        List<StoredMessage> out = new ArrayList<>();
        try (ResultSet rs = read.executeQuery()) {
            while (rs.next()) {
                out.add(new StoredMessage(
                        to,
                        lane,
                        rs.getLong(1),
                        rs.getLong(2),
                        HeaderCodec.decode(rs.getBytes(3)),
                        Rows.nonNull(rs.getBytes(4)),
                        Rows.checksum(rs, 5),
                        rs.getLong(6))); // NULL (a row of schema version 4 or older) reads as 0: unknown
            }
        }
        return out;
    }
}
