package dev.tether.internal.engine;

import dev.tether.Channels;
import dev.tether.NodeId;
import dev.tether.bus.HistoryDirection;
import dev.tether.bus.HistoryEntry;
import dev.tether.bus.HistoryOptions;
import dev.tether.bus.HistoryStats;
import dev.tether.spi.ChannelMessage;
import dev.tether.spi.StoredMessage;
import dev.tether.spi.WriteBatch;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Records the node's message history (docs/BUS-DESIGN.md 5.1) into the store batches: an OUT entry for every append
 * and publish of a batch, an IN entry for every message settled below a cursor the batch writes, each in that same
 * batch, so the history never shows a send that was not stored or a settlement that was rolled back, and never one
 * twice (a failed batch's settled messages go back in front, to be recorded with the cursor written again). Trims the
 * history at most once a second, when it holds 1% more than {@code maxEntries} or an entry may be older than {@code
 * maxAge}. Off until {@link #start}. Not thread-safe: the node thread.
 */
public final class HistoryRecorder {
    /** A message settled and not yet recorded: {@code outcome} is an OUTCOME code, 0 for processed. */
    record Settled(long seq, InMessage message, int outcome) {}

    private static final long TRIM_INTERVAL_MILLIS = 1_000;

    private final NodeId self;
    private HistoryOptions options;
    /** Settled messages per inbound stream, in sequence order, until a batch writes a cursor past them. */
    private final Map<InStream, ArrayDeque<Settled>> settled = new IdentityHashMap<>();

    /** Entries stored, as far as this engine knows: at most the true count (trims may remove more). */
    private long entries;
    /** At most the time of the oldest stored entry (0: none). */
    private long oldest;

    private long nextTrimAt;
    private long recorded;

    HistoryRecorder(NodeId self) {
        this.self = self;
    }

    /**
     * Starts recording with {@code opts}, the store holding {@code stored} ({@code Store.historySummary}); before the
     * first input.
     */
    public void start(HistoryOptions opts, HistoryStats stored) {
        this.options = opts;
        this.entries = stored.entries();
        this.oldest = stored.oldestAtMillis();
    }

    /** Entries written by this process (committed batches), since it started. */
    public long recorded() {
        return recorded;
    }

    /**
     * Entries the store holds as far as this engine knows: what it held at the start, plus those recorded, less those
     * count trims removed (an age trim may remove more, found by {@code Store.historySummary}).
     */
    public long entries() {
        return entries;
    }

    /** Whether history is on. */
    public boolean on() {
        return options != null;
    }

    /** {@code s} settled message {@code m} with OUTCOME {@code outcome} (0: processed). */
    void settled(InStream s, InMessage m, int outcome) {
        if (options == null || m == null || dev.tether.Lanes.isVolatile(s.key.lane())) return;
        settled.computeIfAbsent(s, k -> new ArrayDeque<>()).addLast(new Settled(m.seq, m, outcome));
    }

    /** Records what batch {@code w} (cut at {@code now}) stores and the settlements below its cursors, and trims. */
    void writeTo(long now, Batch b, WriteBatch w) {
        if (options == null) return;
        int keep = options.maxPayloadBytes();
        for (StoredMessage m : w.appends()) {
            add(
                    w,
                    b,
                    HistoryKinds.entry(
                            now,
                            HistoryDirection.OUT,
                            m.to(),
                            m.lane(),
                            m.seq(),
                            null,
                            m.headers(),
                            m.payload(),
                            keep));
        }
        for (ChannelMessage m : w.publishes()) {
            add(
                    w,
                    b,
                    HistoryKinds.entry(
                            now,
                            HistoryDirection.OUT,
                            self,
                            Channels.lane(m.channel()),
                            m.seq(),
                            null,
                            m.headers(),
                            m.payload(),
                            keep));
        }
        for (Batch.Cursor c : b.cursors) {
            ArrayDeque<Settled> q = settled.get(c.stream());
            if (q == null) continue;
            List<Settled> taken = new ArrayList<>();
            while (!q.isEmpty() && q.peekFirst().seq() <= c.processed()) {
                Settled st = q.pollFirst();
                taken.add(st);
                InMessage m = st.message();
                add(
                        w,
                        b,
                        HistoryKinds.entry(
                                now,
                                HistoryDirection.IN,
                                c.stream().key.peer(),
                                c.stream().key.lane(),
                                st.seq(),
                                HistoryKinds.outcome(st.outcome()),
                                m.headers(),
                                m.payload(),
                                keep));
            }
            if (q.isEmpty()) settled.remove(c.stream());
            b.historyTaken.add(new Batch.HistoryTaken(c.stream(), c.senderEpoch(), taken));
        }
        trimIfDue(now, b, w);
    }

    private void add(WriteBatch w, Batch b, HistoryEntry e) {
        if (e == null) return;
        w.history(e);
        b.historyEntries++;
        if (oldest == 0) oldest = e.atMillis();
    }

    private void trimIfDue(long now, Batch b, WriteBatch w) {
        if (now < nextTrimAt) return;
        long olderThan = Math.max(0, now - options.maxAge().toMillis());
        boolean tooMany = entries + b.historyEntries > options.maxEntries() + options.maxEntries() / 100;
        boolean tooOld = oldest != 0 && oldest < olderThan;
        if (!tooMany && !tooOld) return;
        nextTrimAt = now + TRIM_INTERVAL_MILLIS;
        // Without too many entries the count is left alone: a count trim walks the newest maxEntries ids.
        b.historyTrim = new WriteBatch.HistoryTrim(tooMany ? options.maxEntries() : Long.MAX_VALUE, olderThan);
        w.trimHistory(b.historyTrim);
    }

    /** Batch {@code b} is durable: its entries and trim count. */
    void committed(Batch b) {
        entries += b.historyEntries;
        recorded += b.historyEntries;
        WriteBatch.HistoryTrim t = b.historyTrim;
        if (t != null) {
            entries = Math.min(entries, t.keepNewest());
            oldest = entries == 0 ? 0 : Math.max(oldest, t.olderThanMillis());
        }
    }

    /** Batch {@code b} failed: what it took goes back in front, to be recorded with the cursor written again. */
    void retryLater(Batch b) {
        for (Batch.HistoryTaken t : b.historyTaken) {
            InStream s = t.stream();
            if (t.settled().isEmpty() || t.senderEpoch() != s.senderEpoch()) continue; // a new incarnation since: void
            ArrayDeque<Settled> q = settled.computeIfAbsent(s, k -> new ArrayDeque<>());
            for (int i = t.settled().size() - 1; i >= 0; i--) {
                Settled st = t.settled().get(i);
                if (st.seq() <= s.processed()) q.addFirst(st); // else the stream restarted below it: settled again
            }
        }
        if (b.historyTrim != null) nextTrimAt = 0;
    }

    /**
     * Inbound stream {@code s} restarts at {@code cursor} (-1: for a new sender incarnation): what it settled above it,
     * and not yet recorded, will be settled again or never, so it is forgotten.
     */
    void forget(InStream s, long cursor) {
        ArrayDeque<Settled> q = settled.get(s);
        if (q == null) return;
        while (!q.isEmpty() && q.peekLast().seq() > cursor) q.pollLast();
        if (q.isEmpty()) settled.remove(s);
    }
}
