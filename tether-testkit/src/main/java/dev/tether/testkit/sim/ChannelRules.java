package dev.tether.testkit.sim;

import dev.tether.testkit.sim.CheckReport.Kind;
import dev.tether.testkit.sim.HistoryChecker.Stream;
import dev.tether.testkit.sim.HistoryChecker.StreamState;
import dev.tether.testkit.sim.HistoryEvent.Accepted;
import dev.tether.testkit.sim.HistoryEvent.Committed;
import dev.tether.testkit.sim.HistoryEvent.Delivered;
import dev.tether.testkit.sim.HistoryEvent.DeliveredInGeneration;
import dev.tether.testkit.sim.HistoryEvent.Published;
import dev.tether.testkit.sim.HistoryEvent.ReaderRow;
import dev.tether.testkit.sim.HistoryEvent.Sent;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The channel rules of {@link HistoryChecker}: each reader gets every message published after its join, once, in
 * order per publisher, except those it reported missed (retention; settled like expired ones by the checker). A publish ({@link Published}) is owed to every reader whose row (its join, {@link ReaderRow})
 * starts before it; each owed message is handed to the checker's stream rules as a commit on the stream (publisher,
 * reader, channel lane), so lost, duplicated, reordered, phantom and late deliveries of channel messages are found
 * exactly as those of any stream. Further:
 *
 * <ul>
 *   <li>a reader row that moves the cursor past a message the reader has not taken care of is a loss (the publisher
 *       would trim it), like a premature ack;
 *   <li>a message delivered at or before the reader's start is a phantom (never owed to it);
 *   <li>a reused log sequence number and an accepted publish that does not match its log row are anomalies.
 * </ul>
 *
 * <p>A removed reader (row removed) is owed nothing more; what it had not taken care of stays owed only if it joins
 * again before it.
 *
 * <p><b>Join generations.</b> Each join of a reader (its first row after none) starts its next generation, counted
 * from 1; a message is owed to the generation that was joined when it was published (or that joined again before it,
 * from an earlier position, while it was left behind). A reader's stream cursor is one for all its generations
 * (docs/CHANNELS-DESIGN.md, section 2: a join again gets only what lies beyond it), so each message is handed out once
 * whatever the generations, as the stream rules check. Where the history says in which generation a delivery came
 * ({@link DeliveredInGeneration}), further:
 *
 * <ul>
 *   <li>a delivery in a generation the reader never joined is an anomaly;
 *   <li>a delivery in generation {@code g} of a message not owed to {@code g} (published before its start or while
 *       the reader was none, or left behind by an earlier generation of a reader that joined again after it) is a
 *       phantom: what was published meanwhile was never the reader's (docs/MESSAGING.md, "Channels");
 *   <li>only a delivery in an ended generation (the reader joined again since) may lie at or below a cursor the
 *       reader committed without taking care of it: a join again at the log's end moves the cursor past what the
 *       earlier generation handed out and had not finished, and that run may still go on (messages in flight,
 *       docs/MESSAGING.md, "Channels": the trust model; retrying one that failed, or one handed out again after a
 *       crash of the reader, flagged), if it lies above the cursor the reader had committed when it joined again. In
 *       the current generation, or at or below that cursor, it is a duplicate.
 * </ul>
 *
 * <p>Not thread-safe.
 */
final class ChannelRules {
    private final CheckReport report;
    private final Consumer<String> count;
    private final Function<Stream, StreamState> streams;
    private final Consumer<Committed> commit;

    private record Log(String publisher, String lane) {}

    /** A reader of a log: its start while it is one, what it was owed when it left, its generations. */
    private static final class Reader {
        boolean active;
        long start;
        /** Its joins so far: the number of its generation now, 0 before its first join. */
        int generation;

        final TreeSet<Long> released = new TreeSet<>();
        /** Per message owed to it, the generations that owed it: bit {@code g - 1} (up to 64 generations). */
        final Map<Long, Long> owedIn = new HashMap<>();
        /** Per generation {@code g} (at {@code g - 1}): the cursor the reader had committed when {@code g} joined. */
        final List<Long> cursorAtJoin = new ArrayList<>();
    }

    private final Map<Log, TreeMap<Long, Published>> logs = new HashMap<>();
    private final Map<Log, Map<String, Reader>> readers = new HashMap<>();
    /** The generation of the channel delivery recorded next, if the history says it. */
    private DeliveredInGeneration generation;

    ChannelRules(
            CheckReport report,
            Consumer<String> count,
            Function<Stream, StreamState> streams,
            Consumer<Committed> commit) {
        this.report = report;
        this.count = count;
        this.streams = streams;
        this.commit = commit;
    }

    static boolean isChannelLane(String lane) {
        return lane.startsWith("_c.");
    }

    /** Whether {@code a} answers a publish: a send to the node itself on a channel lane. */
    boolean isPublish(Accepted a) {
        return a.node().equals(a.to()) && isChannelLane(a.lane());
    }

    void published(Published p) {
        count.accept("published");
        Log log = new Log(p.publisher(), p.lane());
        Published before = logs.computeIfAbsent(log, k -> new TreeMap<>()).putIfAbsent(p.seq(), p);
        if (before != null) {
            report.add(Kind.ANOMALY, "t=" + p.time() + " log seq reused: " + before + " then " + p);
            return;
        }
        for (var e : readers.getOrDefault(log, Map.of()).entrySet()) {
            if (e.getValue().active && p.seq() > e.getValue().start) owe(p, e.getKey(), e.getValue());
        }
    }

    private void owe(Published p, String name, Reader reader) {
        commit.accept(new Committed(p.time(), p.publisher(), name, p.lane(), p.seq(), p.msgId(), p.expiresAt()));
        owedIn(reader, p.seq());
    }

    private static void owedIn(Reader reader, long seq) {
        if (reader.generation <= 64) reader.owedIn.merge(seq, 1L << (reader.generation - 1), (a, b) -> a | b);
    }

    void readerRow(ReaderRow r) {
        Log log = new Log(r.publisher(), r.lane());
        Reader reader =
                readers.computeIfAbsent(log, k -> new HashMap<>()).computeIfAbsent(r.reader(), k -> new Reader());
        StreamState st = streams.apply(new Stream(r.publisher(), r.reader(), r.lane()));
        if (r.cursor() < 0) {
            if (!reader.active) return;
            count.accept("channelLeaves");
            reader.active = false;
            reader.released.addAll(st.unsettled); // owed no more
            st.unsettled.clear();
        } else if (!reader.active) {
            join(r, log, reader, st);
        } else if (!st.unsettled.isEmpty() && st.unsettled.first() <= r.cursor()) {
            report.add(
                    Kind.LOST,
                    "premature reader row: " + r + " while " + r.publisher() + "->" + r.reader() + "/" + r.lane() + "#"
                            + st.unsettled.first() + " was not taken care of by the reader");
        }
    }

    /** {@code r} is the first row of a reader that is none: from now on every message after its cursor is owed. */
    private void join(ReaderRow r, Log log, Reader reader, StreamState st) {
        count.accept("channelJoins");
        if (reader.generation > 0) count.accept("channelJoinsAgain");
        reader.active = true;
        reader.start = r.cursor();
        reader.generation++;
        reader.cursorAtJoin.add(st.committedCursor);
        for (Published p : logs.getOrDefault(log, new TreeMap<>())
                .tailMap(r.cursor(), false)
                .values()) {
            if (!st.committed.containsKey(p.seq())) owe(p, r.reader(), reader);
            else if (reader.released.remove(p.seq())) {
                st.unsettled.add(p.seq());
                owedIn(reader, p.seq());
            }
        }
        reader.released.clear();
    }

    /** The delivery recorded next came in generation {@code g.generation()}. */
    void generation(DeliveredInGeneration g) {
        generation = g;
    }

    /**
     * Whether a join again moved the reader's cursor past channel delivery {@code d} without the reader taking care of
     * it (after checking that it was owed to its generation): it came in an ended generation {@code g} and lies above
     * the cursor the reader had committed when {@code g + 1} joined. Null if the history does not say its generation.
     */
    Boolean passedByJoinAgain(Delivered d) {
        DeliveredInGeneration g = generation;
        generation = null;
        if (g == null
                || g.seq() != d.seq()
                || !g.reader().equals(d.receiver())
                || !g.publisher().equals(d.sender())
                || !g.lane().equals(d.lane())) return null;
        Reader reader =
                readers.getOrDefault(new Log(g.publisher(), g.lane()), Map.of()).get(g.reader());
        return ended(g, reader) && g.seq() > reader.cursorAtJoin.get(g.generation());
    }

    private boolean ended(DeliveredInGeneration g, Reader reader) {
        int joins = reader == null ? 0 : reader.generation;
        String what = g.publisher() + "->" + g.reader() + "/" + g.lane() + "#" + g.seq() + " at t=" + g.time();
        if (g.generation() < 1 || g.generation() > joins) {
            report.add(
                    Kind.ANOMALY,
                    what + " delivered in generation " + g.generation() + " of a reader that joined " + joins
                            + " times");
            return false;
        }
        long owed = reader.owedIn.getOrDefault(g.seq(), 0L);
        if (g.generation() <= 64 && (owed & 1L << (g.generation() - 1)) == 0) {
            report.add(
                    Kind.PHANTOM,
                    what + " delivered in generation " + g.generation()
                            + ", which it was never owed to (owed to generations bits " + Long.toBinaryString(owed)
                            + ")");
        }
        if (g.generation() < joins) count.accept("deliveredInEndedGeneration");
        return g.generation() < joins;
    }

    /** Publish {@code a} (of send {@code s}) must match the log row stored under its sequence number. */
    void accepted(Accepted a, Sent s) {
        Published p =
                logs.getOrDefault(new Log(a.node(), a.lane()), new TreeMap<>()).get(a.seq());
        if (s == null || p == null || p.msgId() != s.msgId()) {
            report.add(Kind.ANOMALY, "t=" + a.time() + " " + a + " does not match its publish " + s + " / row " + p);
        }
    }
}
