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

    long credit(int window) {
        return Math.max(receivedUpTo, processed + window);
    }
}
