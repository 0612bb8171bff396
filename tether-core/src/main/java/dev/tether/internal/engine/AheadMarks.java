package dev.tether.internal.engine;

import dev.tether.NodeId;
import dev.tether.spi.KeyValue;
import dev.tether.spi.WriteBatch;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Messages that a concurrent consumer completed ahead of an earlier message of their stream, so above its cursor
 * (docs/PROTOCOL.md, receiver step 3, and MESSAGING.md, "Concurrent handlers"). Each is marked until the cursor passes
 * it, whatever way: a durable stream's mark is stored, an entry in the key-value area (namespace {@value #NAMESPACE},
 * key {@code peer|epoch in hex|lane|seq}, empty value), put in the same batch as the message's effects (its reply)
 * or, if the cursor passed it before that batch was cut, never; a volatile one's is kept in memory with the message's
 * effects, which go out when the cursor passes it.
 *
 * <p>A marked message is never handed out again and never settled as anything but processed: when it is the
 * stream's head the receiver settles it as processed (also if it expired or its sender withdrew it meanwhile: it
 * ran), a CANCEL of it is too late, and runs stop before it. When the cursor passes a mark, by that or by the
 * application's acknowledgment, the mark's deletion goes with the batch that stores the cursor (a volatile mark's
 * effects with the settlement). When the cursor jumps past it (the sender reports the messages taken care of) or the
 * sender is a new incarnation, the mark is deleted as well and its effects, if held, are void. At a restart the
 * stored marks are read ({@link #restore}): those the stream's stored cursor passed, or of another incarnation than
 * the cursor's, are deleted with the first batch; a stream with no cursor yet keeps its marks until it opens. Not
 * thread-safe: the engine's thread only.
 */
public final class AheadMarks {
    /** The key-value namespace of the stored marks. */
    public static final String NAMESPACE = "_ahead";

    private static final byte[] EMPTY = new byte[0];

    /** Where the effects of a completion go to be stored ({@link Engine#writeKeys}). */
    interface LocalWriter {
        void write(long token, List<Effect> effects);
    }

    /** One mark: its sender incarnation, a volatile message's effects, whether its put is in a batch. */
    private static final class Mark {
        final long epoch;
        final List<Effect> held;
        boolean written;

        Mark(long epoch, List<Effect> held, boolean written) {
            this.epoch = epoch;
            this.held = held;
            this.written = written;
        }
    }

    /** A stored mark read at a restart, for a stream that has no cursor yet. */
    private record Stored(String key, long epoch, long seq) {}

    private final Function<StreamKey, InStream> streams;
    private LocalWriter writer;
    /** The marks of each stream, by sequence number; all of its current incarnation and above its cursor. */
    private final Map<InStream, TreeMap<Long, Mark>> byStream = new HashMap<>();
    /** Marks whose put waits for the next batch (one passed meanwhile is skipped there). */
    private final List<Batch.AheadPut> toPut = new ArrayList<>();
    /** Stored marks that a restart found passed or of another incarnation: deleted with the next batch. */
    private final List<String> strays = new ArrayList<>();
    /** Stored marks of streams that have no cursor yet, kept until they open. */
    private final Map<StreamKey, List<Stored>> unopened = new HashMap<>();

    AheadMarks(Function<StreamKey, InStream> streams) {
        this.streams = streams;
    }

    void writer(LocalWriter w) {
        this.writer = w;
    }

    static String key(StreamKey key, long senderEpoch, long seq) {
        return key.peer().value() + "|" + Long.toHexString(senderEpoch) + "|" + key.lane() + "|" + seq;
    }

    /**
     * Message {@code seq} of stream {@code key}, of sender incarnation {@code senderEpoch}, was acknowledged by a
     * concurrent consumer above the stream's cursor, with {@code effects} (its reply): a durable stream's are stored
     * with the next batch, with the mark, and {@code token} is reported {@linkplain EngineOutput#written written} once
     * they are durable; a volatile stream's are held until the cursor passes the message. If the cursor passed it
     * already, or the stream is another incarnation's now, no mark is kept (a durable stream's effects are still
     * stored, a volatile one's are void).
     *
     * @throws IllegalArgumentException if a message effect of a durable stream is on a volatile lane
     */
    public void completed(long now, long token, StreamKey key, long senderEpoch, long seq, List<Effect> effects) {
        InStream s = streams.apply(key);
        boolean marks = s != null && s.senderEpoch() == senderEpoch && seq > s.processed();
        if (!key.isVolatile()) writer.write(token, effects);
        if (!marks) return;
        Mark m = new Mark(senderEpoch, key.isVolatile() ? List.copyOf(effects) : List.of(), false);
        byStream.computeIfAbsent(s, k -> new TreeMap<>()).put(seq, m);
        if (!key.isVolatile()) toPut.add(new Batch.AheadPut(s, seq));
    }

    /**
     * Before the first input: the marks an earlier process stored. Those of a stream it knows are kept if the stream's
     * cursor is below them in the same incarnation, else deleted with the first batch; those of a stream without a
     * cursor wait for it to open.
     */
    public void restore(List<KeyValue> stored) {
        for (KeyValue kv : stored) {
            String k = kv.key();
            int a = k.indexOf('|');
            int b = a < 0 ? -1 : k.indexOf('|', a + 1);
            int z = k.lastIndexOf('|');
            try {
                if (a <= 0 || b < 0 || z <= b) throw new NumberFormatException(k);
                StreamKey key = new StreamKey(NodeId.of(k.substring(0, a)), k.substring(b + 1, z));
                Stored m = new Stored(
                        k, Long.parseUnsignedLong(k.substring(a + 1, b), 16), Long.parseLong(k.substring(z + 1)));
                InStream s = streams.apply(key);
                if (s != null) restore(s, m);
                else unopened.computeIfAbsent(key, x -> new ArrayList<>()).add(m);
            } catch (RuntimeException e) {
                strays.add(k); // not a mark this engine wrote
            }
        }
    }

    private void restore(InStream s, Stored m) {
        if (m.epoch() == s.senderEpoch() && m.seq() > s.processed() && !s.key.isVolatile()) {
            byStream.computeIfAbsent(s, k -> new TreeMap<>()).put(m.seq(), new Mark(m.epoch(), List.of(), true));
        } else {
            strays.add(m.key());
        }
    }

    /** Stream {@code s} opened (or a loopback stream was adopted): the stored marks that wait for it apply now. */
    void opened(InStream s) {
        List<Stored> l = unopened.isEmpty() ? null : unopened.remove(s.key);
        if (l != null) l.forEach(m -> restore(s, m));
    }

    /** Marks kept now, also those of streams not open yet (for tests and statistics). */
    public int size() {
        int n = 0;
        for (TreeMap<Long, Mark> t : byStream.values()) n += t.size();
        for (List<Stored> l : unopened.values()) n += l.size();
        return n;
    }

    /** Whether message {@code seq} of {@code s} was completed ahead. */
    boolean has(InStream s, long seq) {
        if (byStream.isEmpty()) return false;
        TreeMap<Long, Mark> t = byStream.get(s);
        return t != null && t.containsKey(seq);
    }

    /**
     * The cursor of {@code s} moved: the marks it passed are dropped, and what goes with the cursor is returned (their
     * deletions, a volatile stream's held effects); empty if none.
     */
    List<Effect> passed(InStream s) {
        if (byStream.isEmpty()) return List.of();
        TreeMap<Long, Mark> t = byStream.get(s);
        if (t == null || t.firstKey() > s.processed()) return List.of();
        List<Effect> with = new ArrayList<>();
        while (!t.isEmpty() && t.firstKey() <= s.processed()) {
            Map.Entry<Long, Mark> e = t.pollFirstEntry();
            Mark m = e.getValue();
            with.addAll(m.held);
            if (m.written) with.add(Effect.delete(NAMESPACE, key(s.key, m.epoch, e.getKey())));
        }
        if (t.isEmpty()) byStream.remove(s);
        return with;
    }

    /**
     * The cursor of {@code s} is about to jump to {@code cursor} of incarnation {@code epoch} (a restart of the
     * stream): the marks it passes, or all of them for another incarnation, are dropped, their held effects void;
     * returns the deletions to store with the new cursor.
     */
    List<Effect> jumped(InStream s, long epoch, long cursor) {
        TreeMap<Long, Mark> t = byStream.isEmpty() ? null : byStream.get(s);
        if (t == null) return List.of();
        List<Effect> deletes = new ArrayList<>();
        while (!t.isEmpty() && (epoch != s.senderEpoch() || t.firstKey() <= cursor)) {
            Map.Entry<Long, Mark> e = t.pollFirstEntry();
            if (e.getValue().written) deletes.add(Effect.delete(NAMESPACE, key(s.key, e.getValue().epoch, e.getKey())));
        }
        if (t.isEmpty()) byStream.remove(s);
        return deletes;
    }

    boolean hasWrites() {
        return !toPut.isEmpty() || !strays.isEmpty();
    }

    /** Puts the marks waiting into {@code w}, with the effects of their completions, and deletes the strays. */
    void writeTo(Batch b, WriteBatch w) {
        for (Batch.AheadPut p : toPut) {
            TreeMap<Long, Mark> t = byStream.get(p.stream());
            Mark m = t == null ? null : t.get(p.seq());
            if (m == null || m.written) continue; // passed before it was stored: nothing to put, nothing to delete
            m.written = true;
            w.put(new KeyValue(NAMESPACE, key(p.stream().key, m.epoch, p.seq()), EMPTY, 0));
            b.aheadPuts.add(p);
        }
        toPut.clear();
        for (String k : strays) w.delete(NAMESPACE, k);
        b.aheadStrays.addAll(strays);
        strays.clear();
    }

    /** Batch {@code b} was not stored: its puts of marks still kept, and its deletions of strays, are written again. */
    void retryLater(Batch b) {
        for (Batch.AheadPut p : b.aheadPuts) {
            TreeMap<Long, Mark> t = byStream.get(p.stream());
            Mark m = t == null ? null : t.get(p.seq());
            if (m != null && m.written) {
                m.written = false;
                toPut.add(p);
            }
        }
        strays.addAll(b.aheadStrays);
    }
}
