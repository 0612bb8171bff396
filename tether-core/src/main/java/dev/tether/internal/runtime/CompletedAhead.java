package dev.tether.internal.runtime;

import dev.tether.internal.engine.Effect;
import dev.tether.internal.engine.StreamKey;
import dev.tether.spi.KeyValue;
import dev.tether.spi.Store;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Messages of concurrent consumers ({@link ConcurrentWindow}) that were acknowledged ahead of an earlier message of
 * their stream, so above the stream's cursor. A durable one is stored at once: a marker in the store's key-value area
 * (namespace {@value #NAMESPACE}) written in the same batch as its effects (its reply), so after a crash either both
 * are stored or neither; the run stores it before any report that moves the cursor past it ({@link
 * DeliveryRun#flushAhead}). A redelivered message found here is acknowledged without being consumed again. When the
 * cursor passes it, its marker is deleted with that cursor, or, if the marker is not stored yet, in a batch of its own
 * once it is (a put and a delete of one key never share a batch, whose order would decide). A volatile one is kept in
 * memory with its effects, which go out with the acknowledgment that passes it (nothing of a volatile stream is
 * stored).
 *
 * <p>Entries are per sender incarnation (its epoch is part of the key), so a sender that lost its store and numbers
 * its messages afresh never meets an old marker. Thread-safe.
 */
final class CompletedAhead {
    static final String NAMESPACE = "_ahead";

    /** What to store for a message completed ahead: its effects and its marker, entry {@code id}. */
    record Write(String id, List<Effect> effects) {}

    private static final class Entry {
        /** A volatile message's effects, reported when the cursor passes it. */
        final List<Effect> held;
        /** Whether its marker is stored. */
        boolean stored;
        /** Whether the cursor passed it before its marker was stored: deleted once it is. */
        boolean passed;

        Entry(List<Effect> held, boolean stored) {
            this.held = held;
            this.stored = stored;
        }
    }

    private final ConcurrentHashMap<String, Entry> done = new ConcurrentHashMap<>();

    /** The markers stored in {@code store} (open, before the node starts). */
    static CompletedAhead load(Store store, long now) {
        CompletedAhead a = new CompletedAhead();
        for (KeyValue kv : KeyPages.readAll(store, NAMESPACE, now)) a.done.put(kv.key(), new Entry(List.of(), true));
        return a;
    }

    private static String id(StreamKey key, long senderEpoch, long seq) {
        return key.peer().value() + "|" + Long.toHexString(senderEpoch) + "|" + key.lane() + "|" + seq;
    }

    /** Whether message {@code seq} of {@code key} (from incarnation {@code senderEpoch}) was completed ahead. */
    boolean contains(StreamKey key, long senderEpoch, long seq) {
        return !done.isEmpty() && done.containsKey(id(key, senderEpoch, seq));
    }

    /**
     * Message {@code seq} was acknowledged ahead with {@code effects}: returns what to store now (its effects and its
     * marker), or null for a volatile stream, whose effects are held until the cursor passes it.
     */
    synchronized Write completed(StreamKey key, long senderEpoch, long seq, List<Effect> effects) {
        String id = id(key, senderEpoch, seq);
        if (key.isVolatile()) {
            done.put(id, new Entry(List.copyOf(effects), false));
            return null;
        }
        done.put(id, new Entry(List.of(), false));
        List<Effect> write = new ArrayList<>(effects);
        write.add(Effect.put(new KeyValue(NAMESPACE, id, new byte[0], 0)));
        return new Write(id, write);
    }

    /** The marker {@code id} is stored: returns its deletion to store now if the cursor passed it meanwhile, else null. */
    synchronized Effect stored(String id) {
        Entry e = done.get(id);
        if (e == null) return null;
        if (e.passed) {
            done.remove(id);
            return Effect.delete(NAMESPACE, id);
        }
        e.stored = true;
        return null;
    }

    /**
     * The cursor passes message {@code seq}: the effects to report with that acknowledgment (the held ones of a
     * volatile stream, the marker's deletion of a durable one whose marker is stored, none if it is not stored yet:
     * {@link #stored} deletes it then), or null if it was not completed ahead.
     */
    List<Effect> passed(StreamKey key, long senderEpoch, long seq) {
        if (done.isEmpty()) return null;
        String id = id(key, senderEpoch, seq);
        synchronized (this) {
            Entry e = done.get(id);
            if (e == null) return null;
            if (key.isVolatile()) {
                done.remove(id);
                return e.held;
            }
            if (!e.stored) {
                e.passed = true;
                return List.of();
            }
            done.remove(id);
            return List.of(Effect.delete(NAMESPACE, id));
        }
    }

    /** Entries now (for tests and statistics). */
    int size() {
        return done.size();
    }
}
