package dev.tether.testkit.sim;

import dev.tether.testkit.sim.CheckReport.Kind;
import dev.tether.testkit.sim.HistoryChecker.Stream;
import dev.tether.testkit.sim.HistoryChecker.StreamState;
import dev.tether.testkit.sim.HistoryEvent.Accepted;
import dev.tether.testkit.sim.HistoryEvent.Committed;
import dev.tether.testkit.sim.HistoryEvent.Published;
import dev.tether.testkit.sim.HistoryEvent.ReaderRow;
import dev.tether.testkit.sim.HistoryEvent.Sent;
import java.util.HashMap;
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
 * again before it. Not thread-safe.
 */
final class ChannelRules {
    private final CheckReport report;
    private final Consumer<String> count;
    private final Function<Stream, StreamState> streams;
    private final Consumer<Committed> commit;

    private record Log(String publisher, String lane) {}

    /** A reader of a log: its start while it is one, and what it was owed when it left. */
    private static final class Reader {
        boolean active;
        long start;
        final TreeSet<Long> released = new TreeSet<>();
    }

    private final Map<Log, TreeMap<Long, Published>> logs = new HashMap<>();
    private final Map<Log, Map<String, Reader>> readers = new HashMap<>();

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
            if (e.getValue().active && p.seq() > e.getValue().start) owe(p, e.getKey());
        }
    }

    private void owe(Published p, String reader) {
        commit.accept(new Committed(p.time(), p.publisher(), reader, p.lane(), p.seq(), p.msgId(), p.expiresAt()));
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
        reader.active = true;
        reader.start = r.cursor();
        for (Published p : logs.getOrDefault(log, new TreeMap<>())
                .tailMap(r.cursor(), false)
                .values()) {
            if (!st.committed.containsKey(p.seq())) owe(p, r.reader());
            else if (reader.released.remove(p.seq())) st.unsettled.add(p.seq());
        }
        reader.released.clear();
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
