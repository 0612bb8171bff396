package dev.tether.internal.engine;

import dev.tether.ChannelFullException;
import dev.tether.ChannelOptions;
import dev.tether.Channels;
import dev.tether.NodeId;
import dev.tether.StoreException;
import dev.tether.TetherEvent;
import dev.tether.spi.ChannelEntry;
import dev.tether.spi.ChannelLog;
import dev.tether.spi.ChannelMessage;
import dev.tether.spi.ChannelReader;
import dev.tether.spi.StoredChannels;
import dev.tether.spi.StoredMessage;
import dev.tether.spi.WriteBatch;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The shared logs this node publishes on (channels) and their readers' store writes: publishes numbered by the log
 * and stored once, reader rows instead of outbox trims, removals of readers, and the log trim at the lowest reader
 * cursor (docs/CHANNELS-DESIGN.md, section 2). The reader streams themselves are {@link OutStream}s of {@link
 * Senders}, which opens and transmits them as any other. Not thread-safe: the engine's thread only.
 */
final class SharedLogs {
    private final EngineConfig cfg;
    private final EngineOutput out;
    private final Senders senders;

    private final Map<String, SharedLog> logs = new LinkedHashMap<>();
    /** Logs with publishes waiting for a batch, in the order they take turns. */
    private final Set<SharedLog> withPending = new LinkedHashSet<>();

    private long pendingPublishes;
    /** Readers whose row must be written: new ones, and those whose cursor moved. */
    private final Set<OutStream> rowsDirty = new LinkedHashSet<>();
    /** Reader rows to delete, in the order the readers were removed; written before the rows of the batch. */
    private final ArrayDeque<WriteBatch.ReaderUpdate> removals = new ArrayDeque<>();
    /** Logs whose lowest cursor may have risen, or whose retention may be due: a trim may be due. */
    private final Set<SharedLog> trimCheck = new LinkedHashSet<>();
    /** Logs with an age limit, which the tick looks at. */
    private final Set<SharedLog> aged = new LinkedHashSet<>();
    /** Per reader stream, the DROPPED markers it reported settled this turn: one event each at the end of the turn. */
    private final Map<OutStream, Long> missedThisTurn = new LinkedHashMap<>();

    SharedLogs(
            EngineConfig cfg,
            EngineOutput out,
            Senders senders,
            StoredChannels stored,
            Map<String, List<ChannelEntry>> retained) {
        this.cfg = cfg;
        this.out = out;
        this.senders = senders;
        for (ChannelLog l : stored.logs()) {
            SharedLog log = new SharedLog(l.channel(), cfg.self(), l.lastSeq(), l.trimmedSeq(), cfg.pageMessages());
            log.restore(retained.getOrDefault(l.channel(), List.of()));
            logs.put(l.channel(), log);
            // A cursor below the trim comes from retention: the reader gets DROPPED markers for what it missed.
            for (ChannelReader r : l.readers()) senders.attach(reader(log, r.reader(), r.ackedSeq()));
        }
    }

    private SharedLog log(String channel) {
        return logs.computeIfAbsent(channel, c -> new SharedLog(c, cfg.self(), 0, 0, cfg.pageMessages()));
    }

    /** A new reader stream of {@code log}; it counts for the log's trims at once. */
    private OutStream reader(SharedLog log, NodeId reader, long ackedSeq) {
        OutStream r = OutStream.reader(
                new StreamKey(reader, log.lane), log, ackedSeq, senders.pages().page(), senders.timers());
        r.logTrimmed(log.trimmedSeq());
        log.attach(r);
        return r;
    }

    /** Sets the retention of {@code channel}'s log; a trim it makes due goes into the next batch. */
    void options(String channel, ChannelOptions options) {
        SharedLog log = log(channel);
        log.options(options);
        if (options.maxAge() != null) aged.add(log);
        else aged.remove(log);
        trimCheck.add(log);
    }

    /** Logs whose oldest message outlived the age limit get a trim. */
    void tick(long now) {
        for (SharedLog log : aged) {
            if (log.agedOut(now)) trimCheck.add(log);
        }
    }

    /** Reader stream {@code r} settled a DROPPED marker: it missed a message retention deleted. */
    void missedReported(OutStream r) {
        r.log.missedBy(r.key.peer());
        missedThisTurn.merge(r, 1L, Long::sum);
    }

    /** Raises one event per reader that reported missed messages this turn. */
    void reportMissed() {
        if (missedThisTurn.isEmpty()) return;
        missedThisTurn.forEach(
                (r, n) -> out.event(new TetherEvent.ChannelMessagesDropped(r.log.name, r.key.peer(), n)));
        missedThisTurn.clear();
    }

    // ---- inputs ---------------------------------------------------------------------------------------

    /** {messages, payload bytes} {@code channel}'s log holds, stored, being stored or queued ({0, 0}: no log). */
    long[] held(String channel) {
        SharedLog log = logs.get(channel);
        return log == null ? new long[2] : log.heldWithPending();
    }

    /** Per log, by channel: {published by this process, held, refused by the log's own check}. */
    Map<String, long[]> counts() {
        Map<String, long[]> m = new LinkedHashMap<>();
        for (SharedLog log : logs.values()) m.put(log.name, new long[] {log.published(), log.held(), log.rejected()});
        return m;
    }

    /** Queues a publish on {@code channel} for the next batch. */
    void publish(String channel, PendingSend p) {
        SharedLog log = log(channel);
        log.queue(p);
        pendingPublishes++;
        withPending.add(log);
    }

    /**
     * Adds {@code reader} to {@code channel}'s readers, its cursor after {@code afterSeq} (clamped to what the log
     * still holds and has committed), and returns the cursor; a reader that is one already keeps its cursor. Its
     * stream opens once its row is stored: a reader exists for the receiver only once it exists after a crash too,
     * and its first row carries its start.
     */
    long addReader(String channel, NodeId reader, long afterSeq) {
        SharedLog log = log(channel);
        OutStream known = log.reader(reader);
        if (known != null) return known.ackedSeq();
        long start = Math.max(log.startFloor(), Math.min(afterSeq, log.committedSeq()));
        rowsDirty.add(reader(log, reader, start));
        return start;
    }

    /** Removes {@code reader} from {@code channel}'s readers: its stream and row go. False if it was none. */
    boolean removeReader(String channel, NodeId reader) {
        SharedLog log = logs.get(channel);
        OutStream r = log == null ? null : log.detach(reader);
        if (r == null) return false;
        r.detach();
        senders.detach(r);
        rowsDirty.remove(r);
        removals.add(WriteBatch.ReaderUpdate.remove(channel, reader));
        trimCheck.add(log);
        return true;
    }

    /** The cursor of reader {@code r} moved: its row is written with the next batch, and the log may trim. */
    void cursorMoved(OutStream r) {
        if (r.detached()) return;
        rowsDirty.add(r);
        trimCheck.add(r.log);
        r.log.released();
    }

    // ---- the store ------------------------------------------------------------------------------------

    long pendingPublishes() {
        return pendingPublishes;
    }

    boolean hasWrites() {
        return pendingPublishes > 0 || !rowsDirty.isEmpty() || !removals.isEmpty() || !trimCheck.isEmpty();
    }

    /** Numbers up to {@code room} waiting publishes into {@code w}, then the reader rows and trims that are due. */
    void writeTo(long now, Batch b, WriteBatch w, int room) {
        publishPending(now, b, w, room);
        for (WriteBatch.ReaderUpdate u : removals) {
            w.channelReader(u);
            b.readerRemovals.add(u);
        }
        removals.clear();
        for (OutStream r : rowsDirty) {
            w.channelReader(WriteBatch.ReaderUpdate.set(r.log.name, r.key.peer(), r.settledSeq()));
            b.readerRows.add(new Batch.ReaderRow(r, r.settledSeq()));
        }
        rowsDirty.clear();
        for (SharedLog log : trimCheck) {
            long upTo = log.trimDue(now);
            if (upTo < 0) continue;
            w.trimChannel(new WriteBatch.ChannelTrim(log.name, upTo));
            b.logTrims.add(new Batch.LogTrim(log, upTo));
            log.trimWritten(upTo);
        }
        trimCheck.clear();
    }

    /**
     * Takes the channel effects out of {@code b.effects} and writes them into this batch: a reader added by an effect
     * has its row in the batch that holds the cursor of the message that caused it (a join), so after a crash both
     * are stored or neither; a removal and a membership write likewise. A failed batch's effects come back with its
     * cursors or local writes, and its reader rows through {@link #retryLater}.
     */
    void applyEffects(long now, Batch b, WriteBatch w) {
        if (b.effects.isEmpty()) return;
        boolean published = false;
        for (Effect e : b.effects) {
            if (e.isPublish()) {
                publishEffect(now, b, w, e);
                published = true;
            }
            if (!e.isChannelWrite()) continue;
            WriteBatch.ReaderUpdate u = e.channel().reader();
            if (u == null) {
                w.channelMembership(e.channel().membership());
            } else if (u.removed()) {
                if (removeReader(u.channel(), u.reader())) removals.pollLast(); // written here, not later
                w.channelReader(u);
                b.readerRemovals.add(u);
            } else if (logs.get(u.channel()) == null || logs.get(u.channel()).reader(u.reader()) == null) {
                addReader(u.channel(), u.reader(), u.ackedSeq());
                OutStream r = logs.get(u.channel()).reader(u.reader());
                rowsDirty.remove(r);
                w.channelReader(WriteBatch.ReaderUpdate.set(u.channel(), u.reader(), r.settledSeq()));
                b.readerRows.add(new Batch.ReaderRow(r, r.settledSeq()));
            }
        }
        b.effects.removeIf(published ? e -> e.isChannelWrite() || e.isPublish() : Effect::isChannelWrite);
    }

    /**
     * Numbers publish effect {@code e} (a routing rule's copy or forward to a channel) into its log in this batch, with
     * the cursor of the message that caused it. Never refused by a log that rejects when full: the settlement cannot
     * wait; a channel's copies are bounded by its retention, not waited for).
     */
    private void publishEffect(long now, Batch b, WriteBatch w, Effect e) {
        SharedLog log = log(Channels.channelOf(e.lane()));
        PendingSend p = new PendingSend(Senders.EFFECT, e.headers(), e.payload(), e.expiresAt());
        ChannelMessage m = log.number(p, now);
        w.publish(m);
        b.published.add(new Batch.Published(log, List.of(p), List.of(m)));
        if (log.dropsOldest()) trimCheck.add(log);
    }

    /** As {@code Senders.appendPending}: logs whose publishes do not all fit go to the back of the queue. */
    private void publishPending(long now, Batch b, WriteBatch w, int room) {
        List<SharedLog> unfinished = new ArrayList<>();
        for (Iterator<SharedLog> it = withPending.iterator(); it.hasNext() && room > 0; ) {
            SharedLog log = it.next();
            it.remove();
            int n = Math.min(room, log.pendingCount());
            List<PendingSend> sends = new ArrayList<>(n);
            List<ChannelMessage> messages = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                PendingSend p = log.nextPending();
                ChannelFullException full = log.refuses(p);
                if (full != null) {
                    out.rejected(p.token(), full);
                    continue;
                }
                ChannelMessage m = log.number(p, now);
                sends.add(p);
                messages.add(m);
                w.publish(m);
            }
            if (log.dropsOldest()) trimCheck.add(log); // the oldest may have to make room
            room -= n;
            pendingPublishes -= n;
            if (!sends.isEmpty()) b.published.add(new Batch.Published(log, sends, messages));
            if (log.pendingCount() > 0) unfinished.add(log);
        }
        withPending.addAll(unfinished);
    }

    /** Batch {@code b} is durable: its publishes reach every reader stream, its rows and trims are done. */
    void committed(Batch b) {
        for (Batch.Published p : b.published) {
            SharedLog log = p.log();
            for (int i = 0; i < p.messages().size(); i++) {
                StoredMessage m = log.committed(p.messages().get(i));
                long token = p.sends().get(i).token();
                if (token != Senders.EFFECT) out.accepted(token, new StreamKey(cfg.self(), log.lane), m.seq());
            }
            for (OutStream r : log.readers()) senders.readerCommitted(r);
            if (log.readers().isEmpty() || log.overLimit()) trimCheck.add(log); // nothing to keep, or retention
        }
        for (Batch.ReaderRow row : b.readerRows) {
            OutStream r = row.stream();
            r.trimmed(row.cursor());
            if (!r.detached()) senders.attach(r); // a new reader's row is stored: it may open
        }
        for (Batch.LogTrim t : b.logTrims) t.log().trimmed(t.upTo());
    }

    /** Batch {@code b} was not stored: its publishes fail, and their numbers are free again. */
    void appendsFailed(Batch b, String reason, Exception error) {
        for (Batch.Published p : b.published) {
            p.log().appendsFailed();
            for (PendingSend s : p.sends()) {
                if (s.token() != Senders.EFFECT) out.rejected(s.token(), new StoreException(reason, error));
            }
        }
    }

    /** Batch {@code b} was not stored: its reader rows, removals and trims are written again with the next one. */
    void retryLater(Batch b) {
        for (Batch.ReaderRow row : b.readerRows) {
            if (!row.stream().detached()) rowsDirty.add(row.stream());
        }
        List<WriteBatch.ReaderUpdate> again = b.readerRemovals;
        for (int i = again.size() - 1; i >= 0; i--) removals.addFirst(again.get(i)); // before later removals
        for (Batch.LogTrim t : b.logTrims) {
            t.log().trimsFailed();
            trimCheck.add(t.log());
        }
    }

    // ---- queries --------------------------------------------------------------------------------------

    List<NodeId> readers(String channel) {
        SharedLog log = logs.get(channel);
        return log == null ? List.of() : List.copyOf(log.readerIds());
    }

    long messagesInMemory() {
        long n = 0;
        for (SharedLog log : logs.values()) n += log.messagesInMemory();
        return n;
    }
}
