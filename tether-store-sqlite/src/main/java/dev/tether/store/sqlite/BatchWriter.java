package dev.tether.store.sqlite;

import dev.tether.NodeId;
import dev.tether.StoreException;
import dev.tether.bus.HistoryDirection;
import dev.tether.spi.DeadLetter;
import dev.tether.spi.InboundCursor;
import dev.tether.spi.MessageChecksum;
import dev.tether.spi.StoredMessage;
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
 * Writes a {@link WriteBatch} into the transaction {@link SqliteStore} has open: first validates it (reads only;
 * a bad batch throws before anything is written), then binds its rows and runs the statements, trims before
 * appends and under the store's page limits. Holds the prepared statements of the write path. Not thread-safe:
 * the store's thread.
 */
final class BatchWriter {
    private final long hardPageLimit;
    private final long appendPageLimit;
    private final Statement pragmas;
    private final PreparedStatement selectStream;
    private final PreparedStatement insertOutbox;
    private final PreparedStatement upsertStreamLast;
    private final PreparedStatement deleteRange;
    private final PreparedStatement updateAcked;
    private final PreparedStatement upsertCursor;
    private final PreparedStatement insertDead;
    private final PreparedStatement deleteDead;
    private final PreparedStatement upsertPeer;
    private final KeyValueTable keyValues;
    private final ChannelTables channels;
    private final HistoryTable history;
    private final StreamStates streamStates = new StreamStates();

    /**
     * Prepares the statements on {@code c}. {@code hardPageLimit} and {@code appendPageLimit} are SQLite page
     * counts, both 0 without a size limit: writes that add data run under the lower one, keeping a reserve for
     * deletions and cursor updates.
     */
    BatchWriter(Connection c, long hardPageLimit, long appendPageLimit, KeyValueTable keyValues) throws SQLException {
        this.keyValues = keyValues;
        this.hardPageLimit = hardPageLimit;
        this.appendPageLimit = appendPageLimit;
        pragmas = c.createStatement();
        selectStream = c.prepareStatement("SELECT last_seq, acked_seq FROM streams WHERE peer = ? AND lane = ?");
        insertOutbox = c.prepareStatement("INSERT INTO outbox (peer, lane, seq, expires_at, headers, payload, checksum,"
                + " accepted_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
        upsertStreamLast =
                c.prepareStatement("INSERT INTO streams (peer, lane, last_seq, acked_seq) VALUES (?, ?, ?, 0)"
                        + " ON CONFLICT (peer, lane) DO UPDATE SET last_seq = excluded.last_seq");
        deleteRange = c.prepareStatement("DELETE FROM outbox WHERE peer = ? AND lane = ? AND seq > ? AND seq <= ?");
        updateAcked = c.prepareStatement("UPDATE streams SET acked_seq = ? WHERE peer = ? AND lane = ?");
        upsertCursor = c.prepareStatement("INSERT INTO cursors (peer, lane, sender_epoch, processed_seq)"
                + " VALUES (?, ?, ?, ?) ON CONFLICT (peer, lane) DO UPDATE SET"
                + " sender_epoch = excluded.sender_epoch, processed_seq = excluded.processed_seq");
        insertDead = c.prepareStatement("INSERT INTO dead_letters"
                + " (peer, lane, sender_epoch, seq, headers, payload, attempts, reason, at_millis)"
                + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
        deleteDead = c.prepareStatement(
                "DELETE FROM dead_letters WHERE peer = ? AND lane = ? AND sender_epoch = ? AND seq = ?");
        upsertPeer = c.prepareStatement("INSERT INTO peers (peer, epoch) VALUES (?, ?)"
                + " ON CONFLICT (peer) DO UPDATE SET epoch = excluded.epoch");
        channels = new ChannelTables(c);
        history = new HistoryTable(c);
    }

    /** The streams' rows as last read or written, which the transaction runner keeps in step with commits. */
    StreamStates streamStates() {
        return streamStates;
    }

    /** The history table's statements, also for the store's history reads. */
    HistoryTable history() {
        return history;
    }

    /** The channel tables' statements, also for the store's channel reads. */
    ChannelTables channels() {
        return channels;
    }

    /**
     * Validates {@code batch}, then writes it into the transaction the caller opened; the caller commits or rolls
     * back.
     *
     * @throws StoreException if the batch is invalid (nothing written then)
     */
    void apply(WriteBatch batch) throws SQLException {
        try {
            write(batch, validate(batch));
        } finally {
            clearBatches();
        }
    }

    /**
     * What a valid batch does to the outbox streams it touches: the streams as stored, the last sequence number
     * each stream's appends reach, and how far each is trimmed.
     */
    private record Plan(
            Map<StreamStates.Key, StreamStates.State> streams,
            Map<StreamStates.Key, Long> lastAppended,
            Map<StreamStates.Key, Long> trimTo,
            Map<String, ChannelTables.LogRow> channelLogs) {}

    /**
     * Checks that every append carries the next sequence number of its stream and no trim goes beyond the last
     * one; reads the streams it needs, writes nothing.
     *
     * @throws StoreException naming the first violation
     */
    private Plan validate(WriteBatch batch) throws SQLException {
        Map<StreamStates.Key, StreamStates.State> streams = new LinkedHashMap<>();
        Map<StreamStates.Key, Long> lastAppended = new LinkedHashMap<>();
        for (StoredMessage m : batch.appends()) {
            StreamStates.Key key = key(m.to(), m.lane());
            Long appended = lastAppended.get(key);
            long last = appended != null ? appended : stored(streams, key).lastSeq();
            if (m.seq() <= last) {
                throw new StoreException("append of " + m.to() + "/" + m.lane() + "#" + m.seq()
                        + " reuses a sequence number (last assigned is " + last + ")");
            }
            if (m.seq() != last + 1) {
                throw new StoreException("append of " + m.to() + "/" + m.lane() + "#" + m.seq()
                        + " leaves a gap (last assigned is " + last + ")");
            }
            Objects.requireNonNull(m.payload(), "payload");
            lastAppended.put(key, m.seq());
        }
        Map<StreamStates.Key, Long> trimTo = new LinkedHashMap<>();
        for (WriteBatch.Trim t : batch.trims()) {
            StreamStates.Key key = key(t.to(), t.lane());
            StreamStates.State stored = stored(streams, key); // also needed when the trim is written
            Long appended = lastAppended.get(key);
            long last = appended != null ? appended : stored.lastSeq();
            if (t.upToSeq() > last) {
                throw new StoreException("trim of " + t.to() + "/" + t.lane() + " up to " + t.upToSeq()
                        + " goes beyond the last assigned sequence number " + last);
            }
            trimTo.merge(key, t.upToSeq(), Math::max);
        }
        return new Plan(streams, lastAppended, trimTo, channels.validate(batch));
    }

    /**
     * Writes a validated batch. Trims of stored messages run first, so that the space they free is there for the
     * appends of the same batch (a full store recovers even while the application keeps sending); the result is
     * the one of the SPI order, since these trims do not touch the batch's own appends. Writes that add data run
     * under the lower append limit, leaving the reserve for deletions and cursors.
     */
    private void write(WriteBatch batch, Plan plan) throws SQLException {
        bind(batch);
        List<Map.Entry<StreamStates.Key, Long>> lateTrims = new ArrayList<>();
        pageLimit(hardPageLimit);
        int trims = 0;
        for (Map.Entry<StreamStates.Key, Long> e : plan.trimTo().entrySet()) {
            StreamStates.State s = plan.streams().get(e.getKey());
            if (e.getValue() <= s.ackedSeq()) continue;
            if (e.getValue() <= s.lastSeq()) {
                trim(e.getKey(), s.ackedSeq(), e.getValue());
                trims++;
            } else {
                lateTrims.add(e); // reaches into this batch's own appends
            }
        }
        if (trims > 0) executeTrims();
        pageLimit(appendPageLimit);
        if (!batch.appends().isEmpty()) insertOutbox.executeBatch();
        for (Map.Entry<StreamStates.Key, Long> e : plan.lastAppended().entrySet()) {
            upsertStreamLast.setString(1, e.getKey().to().value());
            upsertStreamLast.setString(2, e.getKey().lane());
            upsertStreamLast.setLong(3, e.getValue());
            upsertStreamLast.addBatch();
        }
        if (!plan.lastAppended().isEmpty()) upsertStreamLast.executeBatch();
        if (!batch.deadLetters().isEmpty()) insertDead.executeBatch();
        channels.writePublishes(batch, plan.channelLogs());
        pageLimit(hardPageLimit);
        for (Map.Entry<StreamStates.Key, Long> e : lateTrims) {
            trim(e.getKey(), plan.streams().get(e.getKey()).ackedSeq(), e.getValue());
        }
        if (!lateTrims.isEmpty()) executeTrims();
        if (!batch.cursors().isEmpty()) upsertCursor.executeBatch();
        if (!batch.deadLetterRemovals().isEmpty()) deleteDead.executeBatch();
        if (!batch.peerEpochs().isEmpty()) upsertPeer.executeBatch();
        pageLimit(appendPageLimit);
        keyValues.writeKeys(batch);
        pageLimit(hardPageLimit);
        keyValues.removeExpired(batch);
        channels.writeRest(batch, plan.channelLogs());
        // After every other write (Store rule 26). The entry of a settled message under the hard limit: it must not
        // keep a full store from committing its cursor, or the store could not free space. The entry of a message
        // stored for sending under the append limit, as its message: sends must not take the reserve.
        history.insert(batch, d -> pageLimit(d == HistoryDirection.IN ? hardPageLimit : appendPageLimit));
        pageLimit(hardPageLimit);
        history.trim(batch);
        recordStreams(plan);
    }

    /** Records the rows the batch left for the streams it touched, once all its statements ran. */
    private void recordStreams(Plan plan) {
        for (Map.Entry<StreamStates.Key, StreamStates.State> e : plan.streams().entrySet()) {
            StreamStates.Key key = e.getKey();
            Long appended = plan.lastAppended().get(key);
            Long trimmed = plan.trimTo().get(key);
            long last = appended != null ? appended : e.getValue().lastSeq();
            long acked = trimmed != null
                    ? Math.max(trimmed, e.getValue().ackedSeq())
                    : e.getValue().ackedSeq();
            streamStates.wrote(key, new StreamStates.State(last, acked));
        }
    }

    /** Binds the batch's rows to their statements; nothing runs yet. */
    private void bind(WriteBatch batch) throws SQLException {
        for (StoredMessage m : batch.appends()) {
            insertOutbox.setString(1, m.to().value());
            insertOutbox.setString(2, m.lane());
            insertOutbox.setLong(3, m.seq());
            insertOutbox.setLong(4, m.expiresAtMillis());
            insertOutbox.setBytes(5, HeaderCodec.encode(m.headers()));
            insertOutbox.setBytes(6, m.payload());
            if (m.checksum() == MessageChecksum.UNCHECKED) insertOutbox.setNull(7, Types.INTEGER);
            else insertOutbox.setLong(7, m.checksum());
            insertOutbox.setLong(8, m.acceptedAtMillis());
            insertOutbox.addBatch();
        }
        for (InboundCursor c : batch.cursors()) {
            upsertCursor.setString(1, Objects.requireNonNull(c.from(), "from").value());
            upsertCursor.setString(2, Objects.requireNonNull(c.lane(), "lane"));
            upsertCursor.setLong(3, c.senderEpoch());
            upsertCursor.setLong(4, c.processedSeq());
            upsertCursor.addBatch();
        }
        for (DeadLetter d : batch.deadLetters()) {
            insertDead.setString(1, Objects.requireNonNull(d.from(), "from").value());
            insertDead.setString(2, Objects.requireNonNull(d.lane(), "lane"));
            insertDead.setLong(3, d.senderEpoch());
            insertDead.setLong(4, d.seq());
            insertDead.setBytes(5, HeaderCodec.encode(d.headers()));
            insertDead.setBytes(6, Objects.requireNonNull(d.payload(), "payload"));
            insertDead.setInt(7, d.attempts());
            insertDead.setString(8, d.reason());
            insertDead.setLong(9, d.atMillis());
            insertDead.addBatch();
        }
        for (WriteBatch.DeadLetterRemoval r : batch.deadLetterRemovals()) {
            deleteDead.setString(1, Objects.requireNonNull(r.from(), "from").value());
            deleteDead.setString(2, Objects.requireNonNull(r.lane(), "lane"));
            deleteDead.setLong(3, r.senderEpoch());
            deleteDead.setLong(4, r.seq());
            deleteDead.addBatch();
        }
        for (WriteBatch.PeerEpoch p : batch.peerEpochs()) {
            upsertPeer.setString(1, Objects.requireNonNull(p.peer(), "peer").value());
            upsertPeer.setLong(2, p.epoch());
            upsertPeer.addBatch();
        }
    }

    /** Deletes the outbox of {@code key} in {@code (acked, upTo]} and records {@code upTo} as acknowledged. */
    /**
     * Adds the trim of {@code key} from {@code acked} up to {@code upTo} to the statements' batches: {@link
     * #executeTrims} runs them, each statement once for all the streams (at 10,000 streams a batch trims thousands).
     */
    private void trim(StreamStates.Key key, long acked, long upTo) throws SQLException {
        deleteRange.setString(1, key.to().value());
        deleteRange.setString(2, key.lane());
        deleteRange.setLong(3, acked);
        deleteRange.setLong(4, upTo);
        deleteRange.addBatch();
        updateAcked.setLong(1, upTo);
        updateAcked.setString(2, key.to().value());
        updateAcked.setString(3, key.lane());
        updateAcked.addBatch();
    }

    private void executeTrims() throws SQLException {
        deleteRange.executeBatch();
        updateAcked.executeBatch();
    }

    /** Sets SQLite's page limit for the next statements (no I/O); nothing without a size limit. */
    private void pageLimit(long pages) throws SQLException {
        if (pages == 0) return;
        pragmas.execute("PRAGMA max_page_count = " + pages);
    }

    private void clearBatches() throws SQLException {
        deleteRange.clearBatch();
        updateAcked.clearBatch();
        insertOutbox.clearBatch();
        upsertStreamLast.clearBatch();
        upsertCursor.clearBatch();
        insertDead.clearBatch();
        deleteDead.clearBatch();
        upsertPeer.clearBatch();
    }

    private static StreamStates.Key key(NodeId to, String lane) {
        return new StreamStates.Key(Objects.requireNonNull(to, "to"), Objects.requireNonNull(lane, "lane"));
    }

    /**
     * The stored state of outbox stream {@code key}: from memory if this connection read or wrote its row before
     * (see {@link StreamStates}), otherwise read once by primary key.
     */
    private StreamStates.State stored(Map<StreamStates.Key, StreamStates.State> streams, StreamStates.Key key)
            throws SQLException {
        StreamStates.State s = streams.get(key);
        if (s != null) return s;
        s = streamStates.get(key);
        if (s == null) {
            selectStream.setString(1, key.to().value());
            selectStream.setString(2, key.lane());
            try (ResultSet rs = selectStream.executeQuery()) {
                s = rs.next() ? new StreamStates.State(rs.getLong(1), rs.getLong(2)) : new StreamStates.State(0, 0);
            }
            streamStates.read(key, s);
        }
        streams.put(key, s);
        return s;
    }
}
