package dev.tether.internal.engine;

import dev.tether.internal.util.SeqRing;
import dev.tether.spi.StoredMessage;
import java.util.ArrayDeque;

/**
 * Sender-side state of one stream. Sequence numbers split into ranges:
 * {@code ..ackedSeq} taken care of by the receiver; {@code ..sentUpTo} transmitted on this connection;
 * {@code ..committedSeq} stored; {@code ..lastSeq} assigned (the batch being committed). Messages
 * {@code ackedSeq+1..memLast} are cached in memory; later stored ones are paged in from the store.
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
    long trimmedSeq;
    final long recoveredUpTo;
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

    OutStream(StreamKey key, long lastSeq, long ackedSeq) {
        this.key = key;
        this.lastSeq = lastSeq;
        this.committedSeq = lastSeq;
        this.ackedSeq = ackedSeq;
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

    /** Messages stored or waiting to be, not yet taken care of by the receiver. */
    long unacked() {
        return lastSeq - ackedSeq + pending.size();
    }

    /** The receiver took care of everything up to {@code seq}. */
    void ackUpTo(long seq) {
        ackedSeq = seq;
        cache.removeUpTo(seq);
        if (sentUpTo < seq) sentUpTo = seq;
        if (receivedUpTo < seq) receivedUpTo = seq;
        if (creditSeq < seq) creditSeq = seq;
    }

    boolean hasUnackedTransmissions() {
        return ackedSeq < sentUpTo;
    }
}
