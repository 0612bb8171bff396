package dev.tether.internal.engine;

import dev.tether.internal.util.SeqRing;

/**
 * Receiver-side state of one stream from one sender incarnation ({@code senderEpoch}). Sequence numbers split
 * into: {@code ..durable} settled and committed (the persisted cursor); {@code ..processed} settled (acked,
 * expired or dead-lettered); {@code ..leasedUpTo} handed to the application; {@code ..receivedUpTo} buffered.
 * The buffer holds {@code processed+1..receivedUpTo}, at most a window of messages.
 */
final class InStream {
    /** A buffered message and its delivery attempts on this node. */
    static final class InMessage {
        final long seq;
        final Frame.Message message;
        int attempts;

        InMessage(long seq, Frame.Message message) {
            this.seq = seq;
            this.message = message;
        }

        boolean expired(long now) {
            return message.has(Frame.Message.EXPIRED)
                    || (message.expiresAtMillis() != 0 && message.expiresAtMillis() <= now);
        }
    }

    final StreamKey key;

    // Valid for the session.
    long senderEpoch;
    long durable;
    long processed;
    long receivedUpTo;
    long leasedUpTo;
    long generation;
    /** A run is with the application; {@code runGeneration} is the generation it was handed out in. */
    boolean runOutstanding;

    long runGeneration;
    /**
     * Highest sequence number of this sender incarnation handed to the application by this process (at least the
     * cursor it started from): everything above it was never handed out in this lifetime. Raised to the end of
     * a run when the run is handed out, lowered to what was really handed when the run reports back.
     */
    long handedUpTo;
    /** {@link #handedUpTo} before the run that is out, and the run's last sequence number. */
    long handedBeforeRun;

    long runLast;
    /**
     * From this sequence number on, no message can have been handed out by an earlier lifetime of this
     * receiver ({@code Long.MAX_VALUE} while not known); below it, the sender's REDELIVERY flag decides. See
     * {@link #mayHaveBeenHanded} and docs/PROTOCOL.md, "Redelivery flag".
     */
    long freshFrom;

    long retryAt;
    boolean blocked;
    boolean cursorDirty;
    final SeqRing<InMessage> buffer = new SeqRing<>();

    // Valid for the connection.
    boolean ackDue;
    long resendAskedFor;
    long resendAskedAt;

    // Counters.
    long delivered;
    long redelivered;
    long duplicates;
    long deadLettered;
    long expired;

    InStream(StreamKey key, long senderEpoch, long cursor) {
        this.key = key;
        restart(senderEpoch, cursor);
    }

    /** Starts over for sender incarnation {@code epoch}, everything up to {@code cursor} taken care of. */
    void restart(long epoch, long cursor) {
        if (epoch != senderEpoch) {
            // Other messages under the same numbers. An earlier lifetime may have handed some of them out without
            // committing a cursor for this epoch, so nothing is known to be fresh until the sender shows it.
            handedUpTo = cursor;
            freshFrom = Long.MAX_VALUE;
        }
        senderEpoch = epoch;
        durable = cursor;
        processed = cursor;
        receivedUpTo = cursor;
        leasedUpTo = cursor;
        generation++; // A run still out keeps runOutstanding: no second run starts until it has ended.
        retryAt = 0;
        blocked = false;
        buffer.resetTo(cursor + 1);
    }

    /** Everything up to {@code seq} is settled; drop it from the buffer. */
    void settleUpTo(long seq) {
        processed = seq;
        buffer.removeUpTo(seq);
        if (leasedUpTo < seq) leasedUpTo = seq;
        if (receivedUpTo < seq) receivedUpTo = seq;
        cursorDirty = true;
    }

    /**
     * Whether {@code m}, about to be handed out (its {@code attempts} already counted), may have reached the
     * application before, in this lifetime or an earlier one. Never false for a message that did: this lifetime's
     * hand-outs are all at or below {@link #handedUpTo}; an earlier lifetime's can only be below {@link
     * #freshFrom}, and the sender flags every message it transmitted before or recovered from its store.
     */
    boolean mayHaveBeenHanded(InMessage m) {
        return m.attempts > 1 || m.seq <= handedUpTo || (m.seq < freshFrom && m.message.has(Frame.Message.REDELIVERY));
    }

    /**
     * Nothing from {@code seq} on can have been handed out by an earlier lifetime: the sender proved on a
     * connection to this process that it had never transmitted any of it before (an unflagged message, or an
     * OPEN whose {@code lastSeq} is {@code seq - 1}).
     */
    void freshFrom(long seq) {
        if (seq < freshFrom) freshFrom = seq;
    }

    /** A run of messages up to {@code last} goes to the application, which may reach any of them. */
    void handingOut(long last) {
        handedBeforeRun = handedUpTo;
        runLast = last;
        if (last > handedUpTo) handedUpTo = last;
    }

    /**
     * The run out reported (in the generation it was handed out in): the application was handed messages up to
     * {@code ackedUpTo}, plus {@code failedSeq} if that failed, and none after them. Those after them were not
     * attempted either.
     */
    void runEnded(long ackedUpTo, long failedSeq) {
        long handed = Math.min(runLast, Math.max(ackedUpTo, failedSeq));
        for (long seq = Math.max(handed, processed) + 1; seq <= runLast; seq++) {
            InMessage m = buffer.get(seq);
            if (m != null) m.attempts--;
        }
        handedUpTo = Math.max(handedBeforeRun, handed);
    }

    long credit(int window) {
        return Math.max(receivedUpTo, processed + window);
    }
}
