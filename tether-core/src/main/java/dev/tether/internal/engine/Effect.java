package dev.tether.internal.engine;

import dev.tether.NodeId;
import dev.tether.spi.KeyValue;
import java.util.Map;

/**
 * A write this node makes because its application settled an inbound message, given with the acknowledgment
 * ({@link Engine#onProgress(long, StreamKey, long, long, java.util.List)} and the other settling inputs) and stored
 * in the same store batch as the cursor that records the inbound message as processed, so after any crash either both
 * are stored or neither (settle-with-effects). Either a message (a reply to a call), appended to its outbound stream,
 * or, when {@code keyWrite} is not null, an entry of the store's key-value area (an idempotency key; the other
 * fields are then unused). A message effect has no receipt: {@link EngineOutput#accepted} and {@link
 * EngineOutput#rejected} are never called for it. {@code headers} may contain reserved names and {@code lane} may be
 * reserved: effects come from a pattern layer. A volatile stream's settlement carries no key write (nothing of it is
 * stored).
 *
 * @param expiresAt deadline in epoch milliseconds, 0 for none
 * @param keyWrite the key-value entry to put, or null for a message effect
 */
public record Effect(
        NodeId to, String lane, Map<String, String> headers, byte[] payload, long expiresAt, KeyValue keyWrite) {
    /** A message effect. */
    public Effect(NodeId to, String lane, Map<String, String> headers, byte[] payload, long expiresAt) {
        this(to, lane, headers, payload, expiresAt, null);
    }

    /** An effect that puts {@code kv} in the store's key-value area. */
    public static Effect put(KeyValue kv) {
        return new Effect(null, null, Map.of(), null, 0, kv);
    }

    /** Whether this effect writes the key-value area instead of sending a message. */
    public boolean isKeyWrite() {
        return keyWrite != null;
    }
}
