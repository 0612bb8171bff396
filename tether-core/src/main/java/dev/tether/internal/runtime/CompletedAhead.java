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
 * are stored or neither. A redelivered message found here is acknowledged without being consumed again; when the
 * cursor passes it, the marker is deleted in the batch that stores that cursor. A volatile one is kept in memory
 * with its effects, which go out with the acknowledgment that passes it (nothing of a volatile stream is stored).
 *
 * <p>Entries are per sender incarnation (its epoch is part of the key), so a sender that lost its store and numbers
 * its messages afresh never meets an old marker. Thread-safe.
 */
final class CompletedAhead {
    static final String NAMESPACE = "_ahead";

    /** Entry id to the effects held for it (empty for a durable one: they were stored with its marker). */
    private final ConcurrentHashMap<String, List<Effect>> done = new ConcurrentHashMap<>();

    /** The markers stored in {@code store} (open, before the node starts). */
    static CompletedAhead load(Store store, long now) {
        CompletedAhead a = new CompletedAhead();
        for (KeyValue kv : KeyPages.readAll(store, NAMESPACE, now)) a.done.put(kv.key(), List.of());
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
    List<Effect> completed(StreamKey key, long senderEpoch, long seq, List<Effect> effects) {
        String id = id(key, senderEpoch, seq);
        if (key.isVolatile()) {
            done.put(id, List.copyOf(effects));
            return null;
        }
        done.put(id, List.of());
        List<Effect> write = new ArrayList<>(effects);
        write.add(Effect.put(new KeyValue(NAMESPACE, id, new byte[0], 0)));
        return write;
    }

    /**
     * The cursor passes message {@code seq}: the effects to report with that acknowledgment (the held ones of a
     * volatile stream, the marker's deletion of a durable one), or null if it was not completed ahead.
     */
    List<Effect> passed(StreamKey key, long senderEpoch, long seq) {
        if (done.isEmpty()) return null;
        String id = id(key, senderEpoch, seq);
        List<Effect> held = done.remove(id);
        if (held == null) return null;
        return key.isVolatile() ? held : List.of(Effect.delete(NAMESPACE, id));
    }

    /** Entries now (for tests and statistics). */
    int size() {
        return done.size();
    }
}
