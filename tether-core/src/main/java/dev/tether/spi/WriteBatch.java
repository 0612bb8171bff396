package dev.tether.spi;

import dev.tether.ChannelRole;
import dev.tether.NodeId;
import dev.tether.bus.HistoryEntry;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

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
     * A dead letter to delete, named by what identifies it: the message's sender, lane, the sender's epoch and the
     * sequence number (rule 22 of {@link Store}).
     */
    public record DeadLetterRemoval(NodeId from, String lane, long senderEpoch, long seq) {
        /** The removal of {@code d}. */
        public static DeadLetterRemoval of(DeadLetter d) {
            return new DeadLetterRemoval(d.from(), d.lane(), d.senderEpoch(), d.seq());
        }

        /** Whether {@code d} is the dead letter this removal names. */
        public boolean matches(DeadLetter d) {
            return d.from().equals(from) && d.lane().equals(lane) && d.senderEpoch() == senderEpoch && d.seq() == seq;
        }
    }

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

    /** Channel log prefix to delete: {@code ..upToSeq}, recorded as the channel's {@code trimmedSeq}. */
    public record ChannelTrim(String channel, long upToSeq) {}

    /** Sets ({@code removed} false) or deletes ({@code removed} true; {@code ackedSeq} ignored) a channel reader. */
    public record ReaderUpdate(String channel, NodeId reader, long ackedSeq, boolean removed) {
        /** Records {@code reader}'s cursor on {@code channel}, adding the reader if it is new. */
        public static ReaderUpdate set(String channel, NodeId reader, long ackedSeq) {
            return new ReaderUpdate(channel, reader, ackedSeq, false);
        }

        /** Deletes {@code reader} from {@code channel}'s readers (nothing if it is not one). */
        public static ReaderUpdate remove(String channel, NodeId reader) {
            return new ReaderUpdate(channel, reader, 0, true);
        }
    }

    /** Sets this node's membership of {@code channel} to {@code role}, or deletes it ({@code role} null: left). */
    public record MembershipUpdate(String channel, ChannelRole role) {
        /** Joins {@code channel} as {@code role}, replacing any stored role. */
        public static MembershipUpdate join(String channel, ChannelRole role) {
            return new MembershipUpdate(channel, Objects.requireNonNull(role, "role"));
        }

        /** Leaves {@code channel} (nothing if this node is not a member). */
        public static MembershipUpdate leave(String channel) {
            return new MembershipUpdate(channel, null);
        }

        /** Whether this update deletes the membership. */
        public boolean isLeave() {
            return role == null;
        }
    }

    private final List<StoredMessage> appends = new ArrayList<>();
    private final List<Trim> trims = new ArrayList<>();
    private final List<InboundCursor> cursors = new ArrayList<>();
    private final List<DeadLetter> deadLetters = new ArrayList<>();
    private final List<DeadLetterRemoval> deadLetterRemovals = new ArrayList<>();
    private final List<PeerEpoch> peerEpochs = new ArrayList<>();
    private final List<KeyWrite> keyWrites = new ArrayList<>();
    private long removeExpiredAt;
    private final List<ChannelMessage> publishes = new ArrayList<>();
    private final List<ChannelTrim> channelTrims = new ArrayList<>();
    private final List<ReaderUpdate> readerUpdates = new ArrayList<>();
    private final List<MembershipUpdate> membershipUpdates = new ArrayList<>();
    private final List<HistoryEntry> history = new ArrayList<>();
    private HistoryTrim historyTrim;

    /**
     * Trims the history (Store rule 28): afterwards no entry older than {@code olderThanMillis} and at most {@code
     * keepNewest} entries remain, the newest ones.
     */
    public record HistoryTrim(long keepNewest, long olderThanMillis) {
        /** Rejects negative values. */
        public HistoryTrim {
            if (keepNewest < 0 || olderThanMillis < 0) {
                throw new IllegalArgumentException("negative history trim " + keepNewest + ", " + olderThanMillis);
            }
        }
    }

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

    /** Deletes a dead letter (nothing if there is none); after the batch's new dead letters. Returns this batch. */
    public WriteBatch removeDeadLetter(DeadLetterRemoval r) {
        deadLetterRemovals.add(Objects.requireNonNull(r, "removal"));
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
     * Deletes, after the batch's key-value writes, every key-value entry of every namespace that has expired at {@code
     * nowMillis} ({@link KeyValue#expiredAt}). Several calls keep the latest time. Returns this batch.
     *
     * @throws IllegalArgumentException if {@code nowMillis} is not positive
     */
    public WriteBatch removeExpiredKeys(long nowMillis) {
        if (nowMillis <= 0) throw new IllegalArgumentException("nowMillis must be positive, was " + nowMillis);
        removeExpiredAt = Math.max(removeExpiredAt, nowMillis);
        return this;
    }

    /** Appends a message to its channel's log (stored once for every reader). Returns this batch. */
    public WriteBatch publish(ChannelMessage m) {
        publishes.add(m);
        return this;
    }

    /** Deletes a prefix of a channel's log and records it as trimmed. Returns this batch. */
    public WriteBatch trimChannel(ChannelTrim t) {
        channelTrims.add(t);
        return this;
    }

    /** Sets or removes a reader of a channel this node publishes on. Returns this batch. */
    public WriteBatch channelReader(ReaderUpdate u) {
        readerUpdates.add(u);
        return this;
    }

    /** Sets or removes this node's membership of a channel. Returns this batch. */
    public WriteBatch channelMembership(MembershipUpdate u) {
        membershipUpdates.add(u);
        return this;
    }

    /**
     * Records {@code e} in the history (Store rule 26), after every other write of the batch; the store numbers it
     * (its id is ignored). Returns this batch.
     */
    public WriteBatch history(HistoryEntry e) {
        history.add(Objects.requireNonNull(e, "entry"));
        return this;
    }

    /** Trims the history after the batch's entries (Store rule 28); a later call replaces an earlier one. */
    public WriteBatch trimHistory(HistoryTrim t) {
        historyTrim = Objects.requireNonNull(t, "trim");
        return this;
    }

    /** The history entries, in the order added; unmodifiable. */
    public List<HistoryEntry> history() {
        return Collections.unmodifiableList(history);
    }

    /** The history trim, or null. */
    public HistoryTrim historyTrim() {
        return historyTrim;
    }

    /** Adds everything in {@code other}, after this batch's own writes. */
    public WriteBatch addAll(WriteBatch other) {
        appends.addAll(other.appends);
        trims.addAll(other.trims);
        cursors.addAll(other.cursors);
        deadLetters.addAll(other.deadLetters);
        deadLetterRemovals.addAll(other.deadLetterRemovals);
        peerEpochs.addAll(other.peerEpochs);
        keyWrites.addAll(other.keyWrites);
        removeExpiredAt = Math.max(removeExpiredAt, other.removeExpiredAt);
        publishes.addAll(other.publishes);
        channelTrims.addAll(other.channelTrims);
        readerUpdates.addAll(other.readerUpdates);
        membershipUpdates.addAll(other.membershipUpdates);
        history.addAll(other.history);
        if (other.historyTrim != null) historyTrim = other.historyTrim;
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

    /** The dead-letter removals, in the order added; unmodifiable. */
    public List<DeadLetterRemoval> deadLetterRemovals() {
        return Collections.unmodifiableList(deadLetterRemovals);
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

    /** The channel publishes, in the order added; unmodifiable. */
    public List<ChannelMessage> publishes() {
        return Collections.unmodifiableList(publishes);
    }

    /** The channel trims, in the order added; unmodifiable. */
    public List<ChannelTrim> channelTrims() {
        return Collections.unmodifiableList(channelTrims);
    }

    /** The reader updates, in the order added; unmodifiable. */
    public List<ReaderUpdate> readerUpdates() {
        return Collections.unmodifiableList(readerUpdates);
    }

    /** The membership updates, in the order added; unmodifiable. */
    public List<MembershipUpdate> membershipUpdates() {
        return Collections.unmodifiableList(membershipUpdates);
    }

    /** Whether the batch holds no write at all. */
    public boolean isEmpty() {
        return appends.isEmpty()
                && trims.isEmpty()
                && cursors.isEmpty()
                && deadLetters.isEmpty()
                && deadLetterRemovals.isEmpty()
                && peerEpochs.isEmpty()
                && keyWrites.isEmpty()
                && removeExpiredAt == 0
                && publishes.isEmpty()
                && channelTrims.isEmpty()
                && readerUpdates.isEmpty()
                && membershipUpdates.isEmpty()
                && history.isEmpty()
                && historyTrim == null;
    }

    /** The number of writes of every kind (a removal of expired entries counts as one). */
    public int size() {
        return appends.size()
                + trims.size()
                + cursors.size()
                + deadLetters.size()
                + deadLetterRemovals.size()
                + peerEpochs.size()
                + keyWrites.size()
                + (removeExpiredAt == 0 ? 0 : 1)
                + publishes.size()
                + channelTrims.size()
                + readerUpdates.size()
                + membershipUpdates.size()
                + history.size()
                + (historyTrim == null ? 0 : 1);
    }
}
