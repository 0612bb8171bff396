package dev.tether.internal.engine;

import dev.tether.internal.util.LongHeap;
import dev.tether.internal.util.SeqRing;
import dev.tether.spi.StoredMessage;
import java.util.ArrayDeque;

/**
 * Sender-side state of one stream. Sequence numbers split into ranges:
 * {@code ..ackedSeq} taken care of by the receiver; {@code ..settledSeq} taken care of by the receiver or
 * expired here (trimmed from the store); {@code ..sentUpTo} transmitted on this connection; {@code
 * ..committedSeq} stored; {@code ..lastSeq} assigned (the batch being committed). Messages {@code
 * settledSeq+1..memLast} are cached in memory; later stored ones are paged in from the store.
 *
 * <p>A message never transmitted (by this lifetime, nor possibly by an earlier one: above {@code
 * max(recoveredUpTo, transmittedUpTo)}) cannot have reached the receiver, so the sender expires it itself at its
 * deadline; {@link #deadlines} holds those deadlines. See docs/PROTOCOL.md, "Expiry on the sender".
 */
final class OutStream {
    /** A cached outbox message and how often it was transmitted. */
    static final class OutMessage {
        final StoredMessage stored;
        int transmissions;

        OutMessage(StoredMessage stored) {
            this.stored = stored;
        }
    }

    /** A send waiting for the next batch. */
    record PendingSend(long token, java.util.Map<String, String> headers, byte[] payload, long expiresAt) {}

    final StreamKey key;

    // Valid for the session (survives reconnects; rebuilt from the store after a restart).
    long lastSeq;
    long committedSeq;
    long ackedSeq;
    /** Every message up to here was acknowledged by the receiver or expired here; at least {@link #ackedSeq}. */
    long settledSeq;

    long trimmedSeq;
    final long recoveredUpTo;
    /** The highest sequence number this process ever transmitted on any connection. */
    long transmittedUpTo;
    /**
     * (deadline, seq) of messages with a time to live committed by this process and possibly not transmitted yet;
     * entries at or below {@link #expiryFloor} are stale and dropped when met or compacted.
     */
    final LongHeap deadlines = new LongHeap();
    /** Messages above {@link #settledSeq} expired here: the store keeps them until the ones before are settled. */
    final LongHeap expiredAhead = new LongHeap();
    /** The deadline under which the engine has this stream scheduled for expiry, or {@code Long.MAX_VALUE}. */
    long expiryScheduledAt = Long.MAX_VALUE;

    final SeqRing<OutMessage> cache = new SeqRing<>();
    boolean loading;
    /**
     * The receiver acknowledged more than this store ever committed: the store went backwards under the same
     * epoch (restored from an old copy, or lost un-fsynced writes). Sequence numbers would be reused for new
     * content, so the stream stops for the rest of this process and says why.
     */
    boolean diverged;
    /** When to pump again after a failed outbox read, or 0. */
    long loadRetryAt;

    final ArrayDeque<PendingSend> pending = new ArrayDeque<>();

    // Valid for the connection.
    boolean openSent;
    boolean opened;
    long sentUpTo;
    long receivedUpTo;
    long creditSeq;
    long rtoMillis;
    long rtoDeadline;

    // Counters.
    long sent;
    long retransmitted;
    long expired;

    OutStream(StreamKey key, long lastSeq, long ackedSeq) {
        this.key = key;
        this.lastSeq = lastSeq;
        this.committedSeq = lastSeq;
        this.ackedSeq = ackedSeq;
        this.settledSeq = ackedSeq;
        this.trimmedSeq = ackedSeq;
        this.recoveredUpTo = lastSeq;
        this.cache.resetTo(ackedSeq + 1);
        resetConnection(0);
    }

    /** Forget everything that was valid only for the connection. */
    void resetConnection(long initialRto) {
        openSent = false;
        opened = false;
        sentUpTo = ackedSeq;
        receivedUpTo = ackedSeq;
        creditSeq = ackedSeq;
        rtoMillis = initialRto;
        rtoDeadline = 0;
    }

    long memLast() {
        return cache.nextSeq() - 1;
    }

    /** Messages stored or waiting to be, neither taken care of by the receiver nor expired here. */
    long unacked() {
        return lastSeq - settledSeq - expiredAhead.size() + pending.size();
    }

    /** The receiver took care of everything up to {@code seq}. */
    void ackUpTo(long seq) {
        ackedSeq = seq;
        if (sentUpTo < seq) sentUpTo = seq;
        if (receivedUpTo < seq) receivedUpTo = seq;
        if (creditSeq < seq) creditSeq = seq;
        settleUpTo(seq);
    }

    /**
     * Above this, no message can have been transmitted to the receiver: not by this process, and not by an
     * earlier one (which may have transmitted anything it stored).
     */
    long expiryFloor() {
        return Math.max(recoveredUpTo, transmittedUpTo);
    }

    /**
     * Message {@code seq}, never transmitted, expired here: settled at once if it is the next one, else when the
     * ones before it are.
     */
    void expiredHere(long seq) {
        expired++;
        if (seq == settledSeq + 1) settleUpTo(seq);
        else expiredAhead.add(seq, seq);
    }

    /** Everything up to {@code seq} is settled, and so are the messages expired here right after it. */
    private void settleUpTo(long seq) {
        if (seq > settledSeq) settledSeq = seq;
        while (!expiredAhead.isEmpty() && expiredAhead.minKey() <= settledSeq + 1) {
            settledSeq = Math.max(settledSeq, expiredAhead.poll());
        }
        cache.removeUpTo(settledSeq);
    }

    /**
     * Drops stale deadlines once they outnumber the messages that may still expire here, so the index stays
     * within twice the untransmitted messages with a time to live (plus a constant).
     */
    void compactDeadlines() {
        long candidates = committedSeq - expiryFloor();
        if (deadlines.size() > 64 && deadlines.size() > 2 * candidates) {
            long floor = Math.max(expiryFloor(), settledSeq);
            deadlines.retainValues(seq -> seq > floor);
        }
    }

    boolean hasUnackedTransmissions() {
        return ackedSeq < sentUpTo;
    }
}
