package dev.tether.internal.runtime;

import dev.tether.IdempotencyStats;
import dev.tether.NodeId;
import dev.tether.OutboundMessage;
import dev.tether.internal.engine.Effect;
import dev.tether.spi.KeyValue;
import dev.tether.spi.Store;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The idempotency keys this node has processed (docs/MESSAGING.md, "Idempotency keys"): per sender and key, the
 * message processed under it, for {@code window} milliseconds from when it was acknowledged. A message whose key is
 * here is a duplicate and is not processed again. The entry of a processed message is written to the store's
 * key-value area (namespace {@value #NAMESPACE}) as an {@link Effect} of its acknowledgment, so it is stored in the
 * same batch as the cursor that records the message as processed: after a crash either both are stored or neither.
 *
 * <p>The table in memory is updated at the acknowledgment, before the batch commits; a later message of the stream
 * is routed only after that, and its own acknowledgment goes in the same batch or a later one (batches commit in
 * order), so the store never holds a cursor past a duplicate without the key that made it one. At most {@code
 * maxKeys} keys are kept: beyond, the oldest are forgotten before their window ends (counted in {@link #evicted}),
 * and the acknowledgment that evicts them deletes their entries from the store in its batch, so that the store too
 * holds about {@code maxKeys} entries, not every key of the window (a key evicted by a volatile stream's
 * acknowledgment, which writes nothing, stays stored until it expires). A start reads the newest {@code maxKeys}
 * only ({@link Store#readNewestKeys}: the window is the same for every key, so the entries that expire last are the
 * newest), which a store answers without reading the others (SQLite: an index on namespace and expiry).
 *
 * <p>Threading: called from the threads carrying the streams' runs; every method is synchronized.
 */
final class IdempotencyTable {
    /** The namespace of the entries in the store's key-value area. */
    static final String NAMESPACE = "_idem";

    /** The message processed under a key: its lane and sequence number in its sender's stream. */
    record Original(String lane, long seq) {}

    private record Entry(Original original, long expiresAt) {}

    private final long windowMillis;
    private final int maxKeys;
    /** Insertion order is the order of expiry: the window is the same for every key. */
    private final LinkedHashMap<String, Entry> entries = new LinkedHashMap<>();

    final AtomicLong duplicates = new AtomicLong();
    final AtomicLong evicted = new AtomicLong();
    /** Messages whose key header was not a valid key (from a broken or newer peer): processed as if unkeyed. */
    final AtomicLong invalid = new AtomicLong();

    IdempotencyTable(long windowMillis, int maxKeys) {
        this.windowMillis = windowMillis;
        this.maxKeys = maxKeys;
    }

    /** Loads the entries of {@code store} (open) that are live at {@code now}: the newest {@code maxKeys}. */
    synchronized void load(Store store, long now) {
        for (KeyValue kv : store.readNewestKeys(NAMESPACE, now, maxKeys)) {
            Original o = decode(kv.value());
            if (o != null) entries.put(kv.key(), new Entry(o, kv.expiresAtMillis()));
        }
        evictBeyondBound(null);
    }

    /** The message {@code from} sent with idempotency key {@code key} that was processed, or null if none is known. */
    synchronized Original seen(NodeId from, String key, long now) {
        if (!valid(key)) {
            invalid.incrementAndGet();
            return null;
        }
        Entry e = entries.get(id(from, key));
        if (e == null) return null;
        if (e.expiresAt() <= now) {
            entries.remove(id(from, key));
            return null;
        }
        duplicates.incrementAndGet();
        return e.original();
    }

    /**
     * Message {@code seq} of {@code from}'s stream {@code lane}, with idempotency key {@code key}, was acknowledged:
     * the key is recorded (or, for a duplicate, kept as it was), and the store writes to make with the
     * acknowledgment are returned: the key's entry, and the deletes of the entries of the keys it evicted; null for a
     * volatile stream, whose keys live in memory only.
     */
    synchronized List<Effect> acknowledged(
            NodeId from, String lane, long seq, String key, long now, boolean volatileStream) {
        if (!valid(key)) return null;
        String id = id(from, key);
        Entry e = entries.get(id);
        List<Effect> writes = volatileStream ? null : new ArrayList<>(2);
        if (e == null || e.expiresAt() <= now) {
            entries.remove(id);
            e = new Entry(new Original(lane, seq), now + windowMillis);
            entries.put(id, e);
            evictBeyondBound(writes);
        }
        if (writes == null) return null;
        writes.add(0, Effect.put(new KeyValue(NAMESPACE, id, encode(e.original()), e.expiresAt())));
        return writes;
    }

    synchronized IdempotencyStats stats() {
        return new IdempotencyStats(entries.size(), duplicates.get(), evicted.get(), invalid.get());
    }

    /** Forgets the oldest keys beyond {@code maxKeys}, adding the deletes of their store entries to {@code deletes}. */
    private void evictBeyondBound(List<Effect> deletes) {
        Iterator<Map.Entry<String, Entry>> it = entries.entrySet().iterator();
        while (entries.size() > maxKeys && it.hasNext()) {
            String id = it.next().getKey();
            it.remove();
            if (deletes != null) deletes.add(Effect.delete(NAMESPACE, id));
            evicted.incrementAndGet();
        }
    }

    static boolean valid(String key) {
        try {
            OutboundMessage.requireIdempotencyKey(key);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** The key of the store entry: the sender's id cannot contain '|', and both are printable ASCII. */
    private static String id(NodeId from, String key) {
        return from.value() + "|" + key;
    }

    private static byte[] encode(Original o) {
        return (o.lane() + "#" + o.seq()).getBytes(StandardCharsets.US_ASCII);
    }

    /** The original of a stored value, or null if the value is not one this code writes (ignored). */
    static Original decode(byte[] value) {
        String s = new String(value, StandardCharsets.US_ASCII);
        int hash = s.lastIndexOf('#');
        if (hash <= 0) return null;
        try {
            return new Original(s.substring(0, hash), Long.parseLong(s.substring(hash + 1)));
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
