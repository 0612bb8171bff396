package dev.tether.internal.engine;

import dev.tether.spi.KeyValue;
import dev.tether.spi.WriteBatch;

/**
 * The stored marks of withdrawn messages (cancelled calls) of stored outbound streams, so that a restarted process
 * still transmits each as a CANCELLED marker, never as itself (docs/PROTOCOL.md, "Withdrawal"). One key-value entry per
 * withdrawn message in namespace {@value #NAMESPACE}, key {@code peer/lane#seq}, empty value, no expiry: put with the
 * batch after the cancel, deleted with the batch after the message is settled (acknowledged, expired or dropped here),
 * read before the engine's first input ({@link Engine#restoreWithdrawn}). A stream without cancellations has none.
 */
public final class WithdrawnMarks {
    /** The key-value namespace of the marks. */
    public static final String NAMESPACE = "_wd";

    private static final byte[] EMPTY = new byte[0];

    private WithdrawnMarks() {}

    /** The key of the mark of message {@code seq} of stream {@code key}. */
    static String key(StreamKey key, long seq) {
        return key.peer().value() + "/" + key.lane() + "#" + seq;
    }

    /** The stream a mark's key names; null if the key is not one ({@link #key}). */
    static StreamKey stream(String key) {
        int hash = key.lastIndexOf('#');
        if (hash < 0 || seq(key) <= 0) return null;
        return StreamKey.fromStoreKey(key.substring(0, hash));
    }

    /** The sequence number a mark's key names; -1 if the key is not one. */
    static long seq(String key) {
        int hash = key.lastIndexOf('#');
        try {
            return hash < 0 ? -1 : Long.parseLong(key.substring(hash + 1));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    static void put(WriteBatch w, StreamKey key, long seq) {
        w.put(new KeyValue(NAMESPACE, key(key, seq), EMPTY, 0));
    }

    static void delete(WriteBatch w, String key) {
        w.delete(NAMESPACE, key);
    }
}
