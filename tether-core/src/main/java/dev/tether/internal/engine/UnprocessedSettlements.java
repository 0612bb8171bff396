package dev.tether.internal.engine;

import dev.tether.Channels;
import dev.tether.TetherEvent;
import java.util.function.Consumer;

/**
 * Settles an inbound stream's next message without processing it: dead-lettered, quarantined (damaged in its sender's
 * store), expired, missed (a channel reader's DROPPED marker), withdrawn or dropped by its sender, or not taken by a
 * pattern layer. Each such settlement moves the cursor and leaves an OUTCOME for the sender, reported once the cursor
 * is stored ({@link PendingSettlements}); the counters and events are the stream's. A head that a concurrent
 * consumer completed ahead ({@link AheadMarks}) is not handed out again either: it is settled as processed, whatever
 * became of it since. Not thread-safe: the engine's thread only.
 */
final class UnprocessedSettlements {
    /** Why a message damaged in its sender's store is dead-lettered. */
    static final String CORRUPT = "checksum mismatch in the sender's store: the message was changed on the sender's"
            + " disk after it was stored, or (header ':x' says why) it could not be sent in a frame; not delivered"
            + " (docs/OPERATIONS.md, \"A checksum mismatch\")";

    private final EngineOutput out;
    private final DeadLetterQueue deadLetters;
    private final PendingSettlements pending;
    private final AheadMarks ahead;
    /** The stream's cursor moved: stored with the next batch (Receivers#markDirty). */
    private final Consumer<InStream> dirty;

    UnprocessedSettlements(
            EngineOutput out,
            DeadLetterQueue deadLetters,
            PendingSettlements pending,
            AheadMarks ahead,
            Consumer<InStream> dirty) {
        this.out = out;
        this.ahead = ahead;
        this.deadLetters = deadLetters;
        this.pending = pending;
        this.dirty = dirty;
    }

    /**
     * Settles the heads of {@code s} that are damaged, withdrawn, dropped or expired, none of them handed out, and those
     * completed ahead (as processed); returns the first head to hand out, or 0 if none is buffered or a full
     * dead-letter queue refused a damaged one.
     */
    long settleSkippedHeads(long now, InStream s) {
        long next = s.processed() + 1;
        if (s.storedDue(next, now) && !ahead.has(s, next)) return next; // the usual head: nothing to settle
        InMessage head = s.head();
        long missedFrom = 0;
        while (head != null) {
            boolean done = ahead.has(s, head.seq);
            if (!done && !head.skipped(now)) break;
            if (missedFrom > 0 && (done || !head.dropped())) missedFrom = reportMissed(s, missedFrom, head.seq - 1);
            if (done) { // it ran and completed: processed, even if it expired or was withdrawn since
                s.completedAheadNext(head.seq);
                dirty.accept(s); // the cursor passes its mark: deleted with it
                head = s.head();
                continue;
            }
            // Damaged in the sender's store: dead-lettered even if a CANCEL withdrew it, as its sender would have
            // sent it had the withdrawal come first (the damaged bytes are kept for inspection).
            if (head.corrupt()) {
                if (!quarantine(now, s, head)) return 0;
            } else if (head.dropped() && Channels.isChannelLane(s.key.lane())) missedFrom = missed(s, head, missedFrom);
            else if (head.cancelled() || head.dropped()) withdrawn(s, head);
            else expire(s, head);
            head = s.head();
        }
        if (missedFrom > 0) reportMissed(s, missedFrom, s.processed());
        return head == null ? 0 : head.seq;
    }

    /**
     * Moves the next message {@code m} to the dead-letter queue with {@code reason}: counted, reported, its sender
     * told after the commit. A volatile message is never stored: reported and dropped. Under REFUSE a full queue
     * blocks the stream instead, until it has room (then false).
     */
    boolean deadLetter(long now, InStream s, InMessage m, String reason) {
        if (!s.key.isVolatile() && !deadLetters.take(now, s, m, m.attempts(), reason)) return false;
        s.deadLetteredNext(m.seq);
        settledWithout(s, m.seq, Frame.OutcomeNotice.DEAD_LETTERED);
        out.event(new TetherEvent.DeadLettered(s.key.peer(), s.key.lane(), m.seq, m.attempts(), reason));
        return true;
    }

    /**
     * The next message {@code m} was damaged in its sender's store: retrying cannot repair it, so it goes to the
     * dead-letter queue at once, whatever the failure policy (the bytes are kept there for inspection), and the
     * stream continues. Counted, reported, and its sender told after the commit. False, with the stream blocked, if
     * the full queue refuses it (REFUSE).
     */
    private boolean quarantine(long now, InStream s, InMessage m) {
        if (!deadLetters.take(now, s, m, 0, CORRUPT)) return false;
        s.deadLetteredNext(m.seq);
        settledWithout(s, m.seq, Frame.OutcomeNotice.DEAD_LETTERED);
        out.event(new TetherEvent.DeadLettered(s.key.peer(), s.key.lane(), m.seq, 0, CORRUPT));
        return true;
    }

    /** Settles the next message {@code m} as expired: counted, reported, and its sender told after the commit. */
    void expire(InStream s, InMessage m) {
        s.expiredNext(m.seq);
        settledWithout(s, m.seq, Frame.OutcomeNotice.EXPIRED);
        out.event(new TetherEvent.Expired(s.key.peer(), s.key.lane(), m.seq));
    }

    /** Settles the next message {@code m}, a DROPPED marker, as missed; returns where the run of missed ones starts. */
    private long missed(InStream s, InMessage m, long from) {
        s.missedNext(m.seq);
        settledWithout(s, m.seq, Frame.OutcomeNotice.DROPPED);
        return from > 0 ? from : m.seq;
    }

    /** One event for a run of missed messages; returns 0, no run. */
    private long reportMissed(InStream s, long from, long to) {
        String channel = s.key.lane().substring(Channels.LANE_PREFIX.length());
        out.event(new TetherEvent.ChannelMessagesMissed(channel, s.key.peer(), from, to));
        return 0;
    }

    /** Settles the next message {@code m}, withdrawn or dropped by its sender, unprocessed; the sender is told. */
    private void withdrawn(InStream s, InMessage m) {
        if (m.cancelled()) s.cancelledNext(m.seq);
        else s.droppedNext(m.seq); // dropped by its sender's overflow policy (DROP_OLDEST): counted
        settledWithout(s, m.seq, m.cancelled() ? Frame.OutcomeNotice.CANCELLED : Frame.OutcomeNotice.DROPPED);
    }

    /** The next message {@code seq} of {@code s} was settled unprocessed as {@code outcome}; the sender is told. */
    void settledWithout(InStream s, long seq, int outcome) {
        dirty.accept(s);
        pending.outcome(s, seq, outcome);
    }
}
