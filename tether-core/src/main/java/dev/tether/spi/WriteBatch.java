package dev.tether.spi;

import dev.tether.NodeId;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Writes a store commits atomically: all or none. Built by one thread, then handed to
 * {@link Store#commit}; not thread-safe.
 */
public final class WriteBatch {
    /** Acknowledged prefix of an outbound stream: delete {@code ..upToSeq} and record it as acked. */
    public record Trim(NodeId to, String lane, long upToSeq) {}

    /** The last store epoch seen from a peer. */
    public record PeerEpoch(NodeId peer, long epoch) {}

    /**
     * A write of the key-value area: {@code put} an entry, or delete {@code (namespace, key)} when {@code put} is
     * null.
     */
    public record KeyWrite(String namespace, String key, KeyValue put) {
        /** Checks namespace and key ({@link KeyValue#checkNamespace}, {@link KeyValue#checkKey}). */
        public KeyWrite {
            KeyValue.checkNamespace(namespace);
            KeyValue.checkKey(key);
            if (put != null && (!put.namespace().equals(namespace) || !put.key().equals(key))) {
                throw new IllegalArgumentException("a put of " + put + " under " + namespace + "/" + key);
            }
        }

        /** Whether this write deletes the entry. */
        public boolean isDelete() {
            return put == null;
        }
    }

    private final List<StoredMessage> appends = new ArrayList<>();
    private final List<Trim> trims = new ArrayList<>();
    private final List<InboundCursor> cursors = new ArrayList<>();
    private final List<DeadLetter> deadLetters = new ArrayList<>();
    private final List<PeerEpoch> peerEpochs = new ArrayList<>();
    private final List<KeyWrite> keyWrites = new ArrayList<>();
    private long removeExpiredAt;

    /** An empty batch. */
    public WriteBatch() {}

    /** Adds a message to its stream's outbox. Returns this batch. */
    public WriteBatch append(StoredMessage m) {
        appends.add(m);
        return this;
    }

    /** Deletes an acknowledged prefix of an outbound stream and records it as acked. Returns this batch. */
    public WriteBatch trim(Trim t) {
        trims.add(t);
        return this;
    }

    /** Sets an inbound stream's cursor. Returns this batch. */
    public WriteBatch cursor(InboundCursor c) {
        cursors.add(c);
        return this;
    }

    /** Adds a message to the dead-letter queue. Returns this batch. */
    public WriteBatch deadLetter(DeadLetter d) {
        deadLetters.add(d);
        return this;
    }

    /** Records the last store epoch seen from a peer. Returns this batch. */
    public WriteBatch peerEpoch(PeerEpoch p) {
        peerEpochs.add(p);
        return this;
    }

    /** Stores {@code kv}, replacing any entry under its namespace and key. Returns this batch. */
    public WriteBatch put(KeyValue kv) {
        keyWrites.add(new KeyWrite(kv.namespace(), kv.key(), kv));
        return this;
    }

    /**
     * Deletes the entry under {@code namespace} and {@code key}, if there is one. Returns this batch.
     *
     * @throws IllegalArgumentException if the namespace or key is invalid ({@link KeyValue})
     */
    public WriteBatch delete(String namespace, String key) {
        keyWrites.add(new KeyWrite(namespace, key, null));
        return this;
    }

    /**
     * Deletes, after the batch's other writes, every key-value entry of every namespace that has expired at {@code
     * nowMillis} ({@link KeyValue#expiredAt}). Several calls keep the latest time. Returns this batch.
     *
     * @throws IllegalArgumentException if {@code nowMillis} is not positive
     */
    public WriteBatch removeExpiredKeys(long nowMillis) {
        if (nowMillis <= 0) throw new IllegalArgumentException("nowMillis must be positive, was " + nowMillis);
        removeExpiredAt = Math.max(removeExpiredAt, nowMillis);
        return this;
    }

    /** Adds everything in {@code other}, after this batch's own writes. */
    public WriteBatch addAll(WriteBatch other) {
        appends.addAll(other.appends);
        trims.addAll(other.trims);
        cursors.addAll(other.cursors);
        deadLetters.addAll(other.deadLetters);
        peerEpochs.addAll(other.peerEpochs);
        keyWrites.addAll(other.keyWrites);
        removeExpiredAt = Math.max(removeExpiredAt, other.removeExpiredAt);
        return this;
    }

    /** The appended messages, in the order added; unmodifiable. */
    public List<StoredMessage> appends() {
        return Collections.unmodifiableList(appends);
    }

    /** The trims, in the order added; unmodifiable. */
    public List<Trim> trims() {
        return Collections.unmodifiableList(trims);
    }

    /** The cursors, in the order added; unmodifiable. */
    public List<InboundCursor> cursors() {
        return Collections.unmodifiableList(cursors);
    }

    /** The dead letters, in the order added; unmodifiable. */
    public List<DeadLetter> deadLetters() {
        return Collections.unmodifiableList(deadLetters);
    }

    /** The peer epochs, in the order added; unmodifiable. */
    public List<PeerEpoch> peerEpochs() {
        return Collections.unmodifiableList(peerEpochs);
    }

    /** The key-value writes, in the order added; unmodifiable. */
    public List<KeyWrite> keyWrites() {
        return Collections.unmodifiableList(keyWrites);
    }

    /** The time of {@link #removeExpiredKeys}, epoch milliseconds; 0 if the batch removes no expired entries. */
    public long removeExpiredAt() {
        return removeExpiredAt;
    }

    /** Whether the batch holds no write at all. */
    public boolean isEmpty() {
        return appends.isEmpty()
                && trims.isEmpty()
                && cursors.isEmpty()
                && deadLetters.isEmpty()
                && peerEpochs.isEmpty()
                && keyWrites.isEmpty()
                && removeExpiredAt == 0;
    }

    /** The number of writes of every kind (a removal of expired entries counts as one). */
    public int size() {
        return appends.size()
                + trims.size()
                + cursors.size()
                + deadLetters.size()
                + peerEpochs.size()
                + keyWrites.size()
                + (removeExpiredAt == 0 ? 0 : 1);
    }
}
