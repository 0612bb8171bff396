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

    private final List<StoredMessage> appends = new ArrayList<>();
    private final List<Trim> trims = new ArrayList<>();
    private final List<InboundCursor> cursors = new ArrayList<>();
    private final List<DeadLetter> deadLetters = new ArrayList<>();
    private final List<PeerEpoch> peerEpochs = new ArrayList<>();

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

    /** Adds everything in {@code other}, after this batch's own writes. */
    public WriteBatch addAll(WriteBatch other) {
        appends.addAll(other.appends);
        trims.addAll(other.trims);
        cursors.addAll(other.cursors);
        deadLetters.addAll(other.deadLetters);
        peerEpochs.addAll(other.peerEpochs);
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

    /** Whether the batch holds no write at all. */
    public boolean isEmpty() {
        return appends.isEmpty()
                && trims.isEmpty()
                && cursors.isEmpty()
                && deadLetters.isEmpty()
                && peerEpochs.isEmpty();
    }

    /** The number of writes of every kind. */
    public int size() {
        return appends.size() + trims.size() + cursors.size() + deadLetters.size() + peerEpochs.size();
    }
}
