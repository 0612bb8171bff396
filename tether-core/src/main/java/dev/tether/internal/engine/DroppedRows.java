package dev.tether.internal.engine;

import dev.tether.spi.KeyValue;
import dev.tether.spi.WriteBatch;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The stored record of messages dropped here (DROP_OLDEST) whose rows the store still holds: a message dropped while
 * an earlier one of its stream is unsettled keeps its row until the range trim reaches it, and a restarted process
 * must not send it. One key-value entry per stream in namespace {@value #NAMESPACE} (key {@code peer/lane}, value the
 * dropped sequence numbers as runs of {@code [from, to]}), written in the batch after the drop (the one that stores
 * the message it made room for) and read before the engine's first input ({@link Engine#restoreDropped}).
 */
public final class DroppedRows {
    /** The key-value namespace of the records. */
    public static final String NAMESPACE = "_dropped";
    /** Runs of dropped numbers one record holds at most (a stream needing more refuses to drop: REJECT). */
    static final int MAX_RUNS = KeyValue.MAX_VALUE_BYTES / 16;

    private DroppedRows() {}

    /**
     * The records of {@code entries} (namespace {@value #NAMESPACE}), by stream. An entry whose key names no stream
     * (not {@code peer/lane} with valid names: a foreign or damaged store) is skipped, so that it cannot stop the node
     * from starting; it stays in the store, where nothing reads it as a record.
     */
    public static Map<StreamKey, long[]> decode(List<KeyValue> entries) {
        Map<StreamKey, long[]> m = new HashMap<>();
        for (KeyValue kv : entries) {
            StreamKey key = StreamKey.fromStoreKey(kv.key());
            if (key == null) continue;
            ByteBuffer b = ByteBuffer.wrap(kv.value());
            long[] runs = new long[b.remaining() / 8];
            for (int i = 0; i < runs.length; i++) runs[i] = b.getLong();
            m.put(key, runs);
        }
        return m;
    }

    /** Writes stream {@code key}'s record: {@code runs} ({@code from, to} pairs), or its deletion if there are none. */
    static void write(WriteBatch w, StreamKey key, long[] runs) {
        String k = key.peer().value() + "/" + key.lane();
        if (runs.length == 0) {
            w.delete(NAMESPACE, k);
            return;
        }
        ByteBuffer b = ByteBuffer.allocate(runs.length * 8);
        for (long r : runs) b.putLong(r);
        w.put(new KeyValue(NAMESPACE, k, b.array(), 0));
    }
}
