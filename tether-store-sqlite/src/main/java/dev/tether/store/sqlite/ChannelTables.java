package dev.tether.store.sqlite;

import dev.tether.ChannelRole;
import dev.tether.NodeId;
import dev.tether.StoreException;
import dev.tether.spi.ChannelEntry;
import dev.tether.spi.ChannelLog;
import dev.tether.spi.ChannelMembership;
import dev.tether.spi.ChannelMessage;
import dev.tether.spi.ChannelReader;
import dev.tether.spi.MessageChecksum;
import dev.tether.spi.StoredChannels;
import dev.tether.spi.WriteBatch;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The channel tables of {@link SqliteStore} (Store rules 16-21, schema version 4): {@code channel_log(channel, seq,
 * published_at, expires_at, headers, payload, checksum)}, one row per publish whatever the number of readers;
 * {@code channel_logs(channel, last_seq, trimmed_seq, bytes)}; {@code channel_readers(channel, reader, acked_seq)},
 * one small row per reader; {@code channel_members(channel, role)}. Writes run inside the transaction {@link
 * BatchWriter} has open. Not thread-safe: the store's thread.
 */
final class ChannelTables {
    /** A channel log's row as read once per batch, then updated in memory and written back once. */
    static final class LogRow {
        long lastSeq;
        long trimmedSeq;
        long bytes;
        /** Whether the row exists in the file; a new one is written even if only a reader refers to it. */
        final boolean stored;
        /** Whether this batch changed the numbers, so the row must be written back. */
        boolean changed;
        /** Whether this batch adds a reader, so a new row must be written (rule 21) even without a publish. */
        boolean readerAdded;

        LogRow(long lastSeq, long trimmedSeq, long bytes, boolean stored) {
            this.lastSeq = lastSeq;
            this.trimmedSeq = trimmedSeq;
            this.bytes = bytes;
            this.stored = stored;
        }
    }

    private final PreparedStatement selectLog;
    private final PreparedStatement insertMessage;
    private final PreparedStatement upsertLog;
    private final PreparedStatement sumBytes;
    private final PreparedStatement deleteRange;
    private final PreparedStatement upsertReader;
    private final PreparedStatement deleteReader;
    private final PreparedStatement upsertMember;
    private final PreparedStatement deleteMember;
    private final PreparedStatement readLog;
    private final PreparedStatement readIndex;

    /** A read of the channel tables. */
    interface Read<T> {
        List<T> from(ChannelTables tables) throws SQLException;
    }

    ChannelTables(Connection c) throws SQLException {
        selectLog = c.prepareStatement("SELECT last_seq, trimmed_seq, bytes FROM channel_logs WHERE channel = ?");
        insertMessage = c.prepareStatement("INSERT INTO channel_log"
                + " (channel, seq, published_at, expires_at, headers, payload, checksum) VALUES (?, ?, ?, ?, ?, ?, ?)");
        upsertLog = c.prepareStatement("INSERT INTO channel_logs (channel, last_seq, trimmed_seq, bytes)"
                + " VALUES (?, ?, ?, ?) ON CONFLICT (channel) DO UPDATE SET last_seq = excluded.last_seq,"
                + " trimmed_seq = excluded.trimmed_seq, bytes = excluded.bytes");
        sumBytes = c.prepareStatement("SELECT coalesce(sum(length(payload)), 0) FROM channel_log"
                + " WHERE channel = ? AND seq > ? AND seq <= ?");
        deleteRange = c.prepareStatement("DELETE FROM channel_log WHERE channel = ? AND seq > ? AND seq <= ?");
        upsertReader = c.prepareStatement("INSERT INTO channel_readers (channel, reader, acked_seq) VALUES (?, ?, ?)"
                + " ON CONFLICT (channel, reader) DO UPDATE SET acked_seq = excluded.acked_seq");
        deleteReader = c.prepareStatement("DELETE FROM channel_readers WHERE channel = ? AND reader = ?");
        upsertMember = c.prepareStatement("INSERT INTO channel_members (channel, role) VALUES (?, ?)"
                + " ON CONFLICT (channel) DO UPDATE SET role = excluded.role");
        deleteMember = c.prepareStatement("DELETE FROM channel_members WHERE channel = ?");
        readLog = c.prepareStatement("SELECT seq, published_at, expires_at, headers, payload, checksum"
                + " FROM channel_log WHERE channel = ? AND seq >= ? ORDER BY seq LIMIT ?");
        readIndex = c.prepareStatement("SELECT seq, length(payload), published_at"
                + " FROM channel_log WHERE channel = ? AND seq >= ? ORDER BY seq LIMIT ?");
    }

    /**
     * Checks the channel writes of {@code batch} (reads only) and returns the logs they touch as stored.
     *
     * @throws StoreException naming the first violation
     */
    Map<String, LogRow> validate(WriteBatch batch) throws SQLException {
        Map<String, LogRow> logs = new LinkedHashMap<>();
        Map<String, Long> lastPublished = new LinkedHashMap<>();
        for (ChannelMessage m : batch.publishes()) {
            String channel = Objects.requireNonNull(m.channel(), "channel");
            Objects.requireNonNull(m.payload(), "payload");
            Long published = lastPublished.get(channel);
            long last = published != null ? published : row(logs, channel).lastSeq;
            if (m.seq() != last + 1) {
                throw new StoreException("publish of " + channel + "#" + m.seq()
                        + (m.seq() <= last ? " reuses a sequence number" : " leaves a gap") + " (last published is "
                        + last + ")");
            }
            lastPublished.put(channel, m.seq());
        }
        for (WriteBatch.ChannelTrim t : batch.channelTrims()) {
            String channel = Objects.requireNonNull(t.channel(), "channel");
            Long published = lastPublished.get(channel);
            long last = published != null ? published : row(logs, channel).lastSeq;
            if (t.upToSeq() > last) {
                throw new StoreException("trim of channel " + channel + " up to " + t.upToSeq()
                        + " goes beyond the last published sequence number " + last);
            }
        }
        for (WriteBatch.ReaderUpdate u : batch.readerUpdates()) {
            Objects.requireNonNull(u.channel(), "channel");
            Objects.requireNonNull(u.reader(), "reader");
            if (!u.removed()) row(logs, u.channel()).readerAdded = true; // its channel gets a log row (rule 21)
        }
        batch.membershipUpdates().forEach(u -> Objects.requireNonNull(u.channel(), "channel"));
        return logs;
    }

    /** Publishes (under the append page limit the caller set), in the order of rule 19. */
    void writePublishes(WriteBatch batch, Map<String, LogRow> logs) throws SQLException {
        if (batch.publishes().isEmpty()) return;
        for (ChannelMessage m : batch.publishes()) {
            insertMessage.setString(1, m.channel());
            insertMessage.setLong(2, m.seq());
            insertMessage.setLong(3, m.publishedAtMillis());
            insertMessage.setLong(4, m.expiresAtMillis());
            insertMessage.setBytes(5, HeaderCodec.encode(m.headers()));
            insertMessage.setBytes(6, m.payload());
            if (m.checksum() == MessageChecksum.UNCHECKED) insertMessage.setNull(7, Types.INTEGER);
            else insertMessage.setLong(7, m.checksum());
            insertMessage.addBatch();
            LogRow log = logs.get(m.channel());
            log.lastSeq = m.seq();
            log.bytes += m.payload().length;
            log.changed = true;
        }
        try {
            insertMessage.executeBatch();
        } finally {
            insertMessage.clearBatch();
        }
    }

    /** Trims, reader and membership updates, then the touched log rows; these only delete or replace small rows. */
    void writeRest(WriteBatch batch, Map<String, LogRow> logs) throws SQLException {
        for (WriteBatch.ChannelTrim t : batch.channelTrims()) {
            LogRow log = logs.get(t.channel());
            if (t.upToSeq() <= log.trimmedSeq) continue;
            log.bytes -=
                    range(sumBytes, t.channel(), log.trimmedSeq, t.upToSeq()).executeQueryLong();
            range(deleteRange, t.channel(), log.trimmedSeq, t.upToSeq())
                    .statement
                    .executeUpdate();
            log.trimmedSeq = t.upToSeq();
            log.changed = true;
        }
        for (WriteBatch.ReaderUpdate u : batch.readerUpdates()) {
            PreparedStatement p = u.removed() ? deleteReader : upsertReader;
            p.setString(1, u.channel());
            p.setString(2, u.reader().value());
            if (!u.removed()) p.setLong(3, u.ackedSeq());
            p.executeUpdate();
        }
        for (WriteBatch.MembershipUpdate u : batch.membershipUpdates()) {
            PreparedStatement p = u.isLeave() ? deleteMember : upsertMember;
            p.setString(1, u.channel());
            if (!u.isLeave()) p.setString(2, u.role().name());
            p.executeUpdate();
        }
        for (Map.Entry<String, LogRow> e : logs.entrySet()) {
            LogRow log = e.getValue();
            if (!log.changed && (log.stored || !log.readerAdded)) continue; // e.g. a trim to 0 of an unknown channel
            upsertLog.setString(1, e.getKey());
            upsertLog.setLong(2, log.lastSeq);
            upsertLog.setLong(3, log.trimmedSeq);
            upsertLog.setLong(4, log.bytes);
            upsertLog.executeUpdate();
        }
    }

    /** A statement bound to (channel, after, upTo], for the range statements. */
    private record Bound(PreparedStatement statement) {
        long executeQueryLong() throws SQLException {
            try (ResultSet rs = statement.executeQuery()) {
                return rs.next() ? rs.getLong(1) : 0;
            }
        }
    }

    private static Bound range(PreparedStatement p, String channel, long after, long upTo) throws SQLException {
        p.setString(1, channel);
        p.setLong(2, after);
        p.setLong(3, upTo);
        return new Bound(p);
    }

    /** Sequence number, payload length and publish time of up to {@code max} messages from {@code fromSeq}. */
    List<ChannelEntry> index(String channel, long fromSeq, int max) throws SQLException {
        readIndex.setString(1, channel);
        readIndex.setLong(2, fromSeq);
        readIndex.setInt(3, max);
        List<ChannelEntry> out = new ArrayList<>();
        try (ResultSet rs = readIndex.executeQuery()) {
            while (rs.next()) out.add(new ChannelEntry(rs.getLong(1), rs.getLong(2), rs.getLong(3)));
        }
        return out;
    }

    List<ChannelMessage> read(String channel, long fromSeq, int max) throws SQLException {
        readLog.setString(1, channel);
        readLog.setLong(2, fromSeq);
        readLog.setInt(3, max);
        List<ChannelMessage> out = new ArrayList<>();
        try (ResultSet rs = readLog.executeQuery()) {
            while (rs.next()) {
                long checksum = rs.getLong(6);
                if (rs.wasNull()) checksum = MessageChecksum.UNCHECKED;
                else if (!MessageChecksum.isValid(checksum)) {
                    throw new StoreException("channel_log row " + channel + "#" + rs.getLong(1)
                            + " has an invalid checksum " + checksum);
                }
                byte[] payload = rs.getBytes(5);
                out.add(new ChannelMessage(
                        channel,
                        rs.getLong(1),
                        rs.getLong(2),
                        rs.getLong(3),
                        HeaderCodec.decode(rs.getBytes(4)),
                        payload == null ? new byte[0] : payload,
                        checksum));
            }
        }
        return out;
    }

    /** Reads memberships, logs and readers in one snapshot ({@code s} runs the transaction statements). */
    static StoredChannels readAll(Statement s) throws SQLException {
        List<ChannelMembership> members = new ArrayList<>();
        Map<String, List<ChannelReader>> readers = new LinkedHashMap<>();
        List<ChannelLog> logs = new ArrayList<>();
        s.execute("BEGIN");
        try {
            try (ResultSet rs = s.executeQuery("SELECT channel, role FROM channel_members ORDER BY channel")) {
                while (rs.next()) members.add(new ChannelMembership(rs.getString(1), role(rs.getString(2))));
            }
            try (ResultSet rs =
                    s.executeQuery("SELECT channel, reader, acked_seq FROM channel_readers ORDER BY channel, reader")) {
                while (rs.next()) {
                    readers.computeIfAbsent(rs.getString(1), k -> new ArrayList<>())
                            .add(new ChannelReader(rs.getString(1), NodeId.of(rs.getString(2)), rs.getLong(3)));
                }
            }
            try (ResultSet rs =
                    s.executeQuery("SELECT channel, last_seq, trimmed_seq, bytes FROM channel_logs ORDER BY channel")) {
                while (rs.next()) {
                    String channel = rs.getString(1);
                    logs.add(new ChannelLog(
                            channel,
                            rs.getLong(2),
                            rs.getLong(3),
                            rs.getLong(4),
                            readers.getOrDefault(channel, List.of())));
                }
            }
        } finally {
            s.execute("COMMIT");
        }
        return new StoredChannels(members, logs);
    }

    private static ChannelRole role(String name) {
        try {
            return ChannelRole.valueOf(name);
        } catch (IllegalArgumentException e) {
            throw new StoreException("channel_members has an unknown role '" + name + "'", e);
        }
    }

    private LogRow row(Map<String, LogRow> logs, String channel) throws SQLException {
        LogRow row = logs.get(channel);
        if (row != null) return row;
        selectLog.setString(1, channel);
        try (ResultSet rs = selectLog.executeQuery()) {
            row = rs.next()
                    ? new LogRow(rs.getLong(1), rs.getLong(2), rs.getLong(3), true)
                    : new LogRow(0, 0, 0, false);
        }
        logs.put(channel, row);
        return row;
    }
}
