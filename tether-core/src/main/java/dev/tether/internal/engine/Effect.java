package dev.tether.internal.engine;

import dev.tether.Channels;
import dev.tether.NodeId;
import dev.tether.spi.KeyValue;
import dev.tether.spi.WriteBatch;
import java.util.Map;

/**
 * A write this node makes because its application settled an inbound message, given with the acknowledgment
 * ({@link Engine#onProgress(long, StreamKey, long, long, java.util.List)} and the other settling inputs) and stored
 * in the same store batch as the cursor that records the inbound message as processed, so after any crash either both
 * are stored or neither (settle-with-effects). Either a message (a reply to a call), appended to its outbound stream,
 * or, when {@code keyWrite} is not null, a write of the store's key-value area (an idempotency key, an event's state:
 * a put or a delete; the other fields are then unused). A message effect has no receipt: {@link EngineOutput#accepted} and {@link
 * EngineOutput#rejected} are never called for it. {@code headers} may contain reserved names and {@code lane} may be
 * reserved: effects come from a pattern layer. A volatile stream's settlement carries no key write (nothing of it is
 * stored).
 *
 * @param expiresAt deadline in epoch milliseconds, 0 for none
 * <p>The same effects are also written without a settlement, by {@link Engine#writeKeys} (a pattern layer's own
 * state, and the messages that go with it).
 *
 * <p>A channel effect ({@code channel} not null) changes the channel state of this node's store: a reader of one of
 * its logs added or removed (the reader's stream starts or stops with the batch that writes it, so a join's
 * acknowledgment and the reader row it caused are stored together), or this node's own membership.
 *
 * @param keyWrite the key-value write (put or delete), or null for a message or channel effect
 * @param channel the channel write, or null for a message or key-value effect
 */
public record Effect(
        NodeId to,
        String lane,
        Map<String, String> headers,
        byte[] payload,
        long expiresAt,
        WriteBatch.KeyWrite keyWrite,
        ChannelWrite channel) {
    /** A message effect. */
    public Effect(NodeId to, String lane, Map<String, String> headers, byte[] payload, long expiresAt) {
        this(to, lane, headers, payload, expiresAt, null, null);
    }

    /** A message effect ({@code keyWrite} null) or a key-value effect. */
    public Effect(
            NodeId to,
            String lane,
            Map<String, String> headers,
            byte[] payload,
            long expiresAt,
            WriteBatch.KeyWrite keyWrite) {
        this(to, lane, headers, payload, expiresAt, keyWrite, null);
    }

    /**
     * A change of the channel state: exactly one of {@code reader} (a reader of a log of this node: set adds it after
     * its {@code ackedSeq}, clamped as {@link Engine#addReader} does, and keeps the cursor of one that is a reader
     * already; remove drops it) and {@code membership} (this node's own) is not null.
     */
    public record ChannelWrite(WriteBatch.ReaderUpdate reader, WriteBatch.MembershipUpdate membership) {
        public ChannelWrite {
            if ((reader == null) == (membership == null)) {
                throw new IllegalArgumentException("a channel write is a reader or a membership update");
            }
        }
    }

    /**
     * A message effect that publishes on this node's own log of {@code channel} (a routing rule's copy or forward to a
     * channel, docs/BUS-DESIGN.md, section 2.4): numbered by the log in the batch of the settlement that made it and
     * stored once whatever the number of readers, like a publish; it has no recipient ({@code to} is null) and its lane
     * is the channel's. The log's retention applies as to a publish, except that a log that rejects when full does not
     * refuse it (the settlement cannot wait; docs/MESSAGING.md, "Routing rules").
     */
    public static Effect publish(String channel, Map<String, String> headers, byte[] payload, long expiresAt) {
        return new Effect(null, Channels.lane(channel), headers, payload, expiresAt);
    }

    /** Whether this effect publishes on one of this node's channel logs ({@link #publish}). */
    public boolean isPublish() {
        return to == null && lane != null && keyWrite == null && channel == null;
    }

    /** An effect that adds or removes a reader of one of this node's channel logs ({@link ChannelWrite}). */
    public static Effect reader(WriteBatch.ReaderUpdate u) {
        return new Effect(null, null, Map.of(), null, 0, null, new ChannelWrite(u, null));
    }

    /** An effect that makes {@code reader} a reader of this node's log of {@code channel} after {@code afterSeq}. */
    public static Effect addReader(String channel, NodeId reader, long afterSeq) {
        return reader(WriteBatch.ReaderUpdate.set(channel, reader, afterSeq));
    }

    /** An effect that removes {@code reader} from the readers of this node's log of {@code channel}. */
    public static Effect removeReader(String channel, NodeId reader) {
        return reader(WriteBatch.ReaderUpdate.remove(channel, reader));
    }

    /** An effect that stores or deletes this node's membership of a channel. */
    public static Effect membership(WriteBatch.MembershipUpdate u) {
        return new Effect(null, null, Map.of(), null, 0, null, new ChannelWrite(null, u));
    }

    /** Whether this effect changes the channel state instead of sending a message or writing a key. */
    public boolean isChannelWrite() {
        return channel != null;
    }

    /** Whether this effect writes this node's store only (a key or channel write), sending no message. */
    public boolean isLocalWrite() {
        return keyWrite != null || channel != null;
    }

    /** An effect that puts {@code kv} in the store's key-value area. */
    public static Effect put(KeyValue kv) {
        return new Effect(null, null, Map.of(), null, 0, new WriteBatch.KeyWrite(kv.namespace(), kv.key(), kv));
    }

    /** An effect that deletes the entry of {@code namespace} and {@code key} from the store's key-value area. */
    public static Effect delete(String namespace, String key) {
        return new Effect(null, null, Map.of(), null, 0, new WriteBatch.KeyWrite(namespace, key, null));
    }

    /** Adds this effect's key-value write to {@code w}; a message effect is not written here. */
    void writeKeyTo(WriteBatch w) {
        if (keyWrite.isDelete()) w.delete(keyWrite.namespace(), keyWrite.key());
        else w.put(keyWrite.put());
    }

    /** Whether this effect writes the key-value area (a put or a delete) instead of sending a message. */
    public boolean isKeyWrite() {
        return keyWrite != null;
    }
}
