package dev.tether.store.sqlite;

import dev.tether.NodeId;
import dev.tether.Outcome;
import dev.tether.bus.HistoryDirection;
import dev.tether.bus.HistoryEntry;
import dev.tether.bus.HistoryQuery;
import dev.tether.bus.HistoryStats;
import dev.tether.bus.MessageKind;
import dev.tether.spi.WriteBatch;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;

/**
 * Table {@code history} of schema version 6 (Store rules 26-28): one row per entry, numbered by SQLite ({@code
 * AUTOINCREMENT}, so an id is never reused, also after the newest rows were trimmed), written by {@link BatchWriter}
 * after every other write of a batch; queries built from the filters given, in id order, using the index on the
 * time when a time range is given. Not thread-safe: the store's thread.
 */
final class HistoryTable {
    /** Migration 5 to 6. */
    static final List<String> CREATE = List.of(
            "CREATE TABLE history (id INTEGER PRIMARY KEY AUTOINCREMENT, at INTEGER NOT NULL, dir INTEGER NOT NULL,"
                    + " kind TEXT NOT NULL, peer TEXT NOT NULL, from_agent TEXT, to_agent TEXT, channel TEXT,"
                    + " handler TEXT, lane TEXT NOT NULL, seq INTEGER NOT NULL, outcome TEXT, size INTEGER NOT NULL,"
                    + " headers BLOB NOT NULL, payload BLOB, truncated INTEGER NOT NULL)",
            // One index: every entry costs a b-tree insert per index, on the path of every message, while queries
            // are an operator's. Without a time range a filter by peer, lane or agent reads the entries in id order
            // until it has its page (about 0.2 s per million entries when the matches are rare).
            "CREATE INDEX history_at ON history (at)");

    private static final String COLUMNS = "id, at, dir, kind, peer, from_agent, to_agent, channel, handler, lane, seq,"
            + " outcome, size, headers, truncated";

    /**
     * Bits of column {@code truncated}: the payload kept is shorter than the message's; a payload was kept (an empty
     * BLOB may read back as NULL, so the column alone cannot tell an empty payload from none).
     */
    private static final int TRUNCATED = 1;

    private static final int KEPT = 2;

    private final Connection connection;
    private final PreparedStatement insert;
    private final PreparedStatement trimAge;
    private final PreparedStatement trimCount;

    HistoryTable(Connection c) throws SQLException {
        this.connection = c;
        insert = c.prepareStatement("INSERT INTO history (at, dir, kind, peer, from_agent, to_agent, channel, handler,"
                + " lane, seq, outcome, size, headers, payload, truncated)"
                + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
        trimAge = c.prepareStatement("DELETE FROM history WHERE at < ?");
        trimCount = c.prepareStatement(
                "DELETE FROM history WHERE id <= (SELECT id FROM history ORDER BY id DESC LIMIT 1 OFFSET ?)");
    }

    /** Sets the page limit for the entries of one direction that follow. */
    @FunctionalInterface
    interface PageLimits {
        void before(HistoryDirection direction) throws SQLException;
    }

    /**
     * Writes the batch's entries in batch order (their ids ascending with it), calling {@code limits} before each run
     * of entries of one direction.
     */
    void insert(WriteBatch batch, PageLimits limits) throws SQLException {
        HistoryDirection run = null;
        try {
            for (HistoryEntry e : batch.history()) {
                if (e.direction() != run) {
                    if (run != null) insert.executeBatch();
                    run = e.direction();
                    limits.before(run);
                }
                bind(e);
            }
            if (run != null) insert.executeBatch();
        } finally {
            insert.clearBatch();
        }
    }

    /** Applies the batch's trim, if any (after its entries). */
    void trim(WriteBatch batch) throws SQLException {
        WriteBatch.HistoryTrim t = batch.historyTrim();
        if (t == null) return;
        trimAge.setLong(1, t.olderThanMillis());
        trimAge.executeUpdate();
        trimCount.setLong(1, t.keepNewest());
        trimCount.executeUpdate();
    }

    private void bind(HistoryEntry e) throws SQLException {
        insert.setLong(1, e.atMillis());
        insert.setInt(2, e.direction() == HistoryDirection.OUT ? 1 : 0);
        insert.setString(3, e.kind().name());
        insert.setString(4, e.peer().value());
        insert.setString(5, e.fromAgent());
        insert.setString(6, e.toAgent());
        insert.setString(7, e.channel());
        insert.setString(8, e.handler());
        insert.setString(9, e.lane());
        insert.setLong(10, e.seq());
        insert.setString(11, e.outcome() == null ? null : e.outcome().name());
        insert.setInt(12, e.size());
        insert.setBytes(13, HeaderCodec.encode(e.headers()));
        if (e.payload() == null) insert.setNull(14, Types.BLOB);
        else insert.setBytes(14, e.payload());
        insert.setInt(15, (e.truncated() ? TRUNCATED : 0) | (e.payload() == null ? 0 : KEPT));
        insert.addBatch();
    }

    /** The entries {@code q} selects (rule 27). */
    List<HistoryEntry> read(HistoryQuery q) throws SQLException {
        StringBuilder sql = new StringBuilder("SELECT " + COLUMNS + (q.payloads() ? ", payload" : "")
                + " FROM history WHERE id > ? AND at >= ? AND at < ?");
        List<Object> args = new ArrayList<>(List.of(q.afterId(), q.fromMillis(), q.toMillis()));
        filter(sql, args, "peer", q.peer() == null ? null : q.peer().value());
        if (q.agent() != null) {
            sql.append(" AND (from_agent = ? OR to_agent = ?)");
            args.add(q.agent());
            args.add(q.agent());
        }
        filter(sql, args, "channel", q.channel());
        filter(sql, args, "lane", q.lane());
        filter(sql, args, "kind", q.kind() == null ? null : q.kind().name());
        if (q.direction() != null) filter(sql, args, "dir", q.direction() == HistoryDirection.OUT ? 1 : 0);
        filter(sql, args, "outcome", q.outcome() == null ? null : q.outcome().name());
        sql.append(" ORDER BY id LIMIT ?");
        args.add(q.max());
        List<HistoryEntry> out = new ArrayList<>();
        try (PreparedStatement p = connection.prepareStatement(sql.toString())) {
            for (int i = 0; i < args.size(); i++) p.setObject(i + 1, args.get(i));
            try (ResultSet rs = p.executeQuery()) {
                while (rs.next()) out.add(entry(rs, q.payloads()));
            }
        }
        return out;
    }

    private static void filter(StringBuilder sql, List<Object> args, String column, Object value) {
        if (value == null) return;
        sql.append(" AND ").append(column).append(" = ?");
        args.add(value);
    }

    private static HistoryEntry entry(ResultSet rs, boolean payloads) throws SQLException {
        String outcome = rs.getString(12);
        return new HistoryEntry(
                rs.getLong(1),
                rs.getLong(2),
                rs.getInt(3) == 1 ? HistoryDirection.OUT : HistoryDirection.IN,
                MessageKind.valueOf(rs.getString(4)),
                NodeId.of(rs.getString(5)),
                rs.getString(6),
                rs.getString(7),
                rs.getString(8),
                rs.getString(9),
                rs.getString(10),
                rs.getLong(11),
                outcome == null ? null : Outcome.valueOf(outcome),
                rs.getInt(13),
                HeaderCodec.decode(rs.getBytes(14)),
                payloads && (rs.getInt(15) & KEPT) != 0 ? Rows.nonNull(rs.getBytes(16)) : null,
                (rs.getInt(15) & TRUNCATED) != 0);
    }

    /** Count, oldest time and payload bytes (rule 28). */
    HistoryStats summary() throws SQLException {
        try (PreparedStatement p = connection.prepareStatement(
                        "SELECT count(*), coalesce(min(at), 0), coalesce(sum(length(payload)), 0) FROM history");
                ResultSet rs = p.executeQuery()) {
            rs.next();
            return new HistoryStats(rs.getLong(1), rs.getLong(2), rs.getLong(3));
        }
    }
}
