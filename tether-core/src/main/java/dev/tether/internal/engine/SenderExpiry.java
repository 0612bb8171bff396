package dev.tether.internal.engine;

import dev.tether.internal.util.LongHeap;
import dev.tether.internal.util.SeqSet;

/**
 * The messages of one sender stream that may expire at the sender (never transmitted: docs/PROTOCOL.md, sender step
 * 9): their deadlines, the ones settled here (expired, or dropped: {@link DroppedHere}) ahead of the stream's settled
 * prefix, and the deadline under which the engine has the stream scheduled. Owned by its {@link OutStream}, which decides what may expire; the engine's thread only.
 */
final class SenderExpiry {
    /**
     * (deadline, seq) of messages with a time to live committed by this process and possibly not transmitted yet;
     * entries at or below the stream's expiry floor are stale and dropped when met or compacted.
     */
    private final LongHeap deadlines = new LongHeap();
    /**
     * Messages above the settled prefix expired or dropped here: the store keeps them until the ones before are
     * settled.
     */
    private SeqSet settledAhead; // null until the first: every message's settling and count look here
    /** The deadline under which the engine has the stream scheduled for expiry, or {@code Long.MAX_VALUE}. */
    private long scheduledAt = Long.MAX_VALUE;

    private long expired;

    /** Message {@code seq}, committed, expires at {@code deadline} (0: never). */
    void track(long deadline, long seq) {
        if (deadline != 0) deadlines.add(deadline, seq);
    }

    /** The earliest tracked deadline, if it is earlier than the one the engine has the stream scheduled at. */
    long toSchedule() {
        if (deadlines.isEmpty() || deadlines.minKey() >= scheduledAt) return Long.MAX_VALUE;
        scheduledAt = deadlines.minKey();
        return scheduledAt;
    }

    /** Whether {@code at} is the deadline the engine has the stream scheduled at; unschedules it if so. */
    boolean fires(long at) {
        if (at != scheduledAt) return false; // superseded by an earlier deadline
        scheduledAt = Long.MAX_VALUE;
        return true;
    }

    /**
     * The next message whose deadline passed by {@code now}, above {@code floor} (never transmitted) and above {@code
     * settledSeq} and not dropped here, counted as expired; -1 when there is none. Stale deadlines met on the way are dropped.
     */
    long next(long now, long floor, long settledSeq) {
        while (!deadlines.isEmpty() && deadlines.minKey() <= now) {
            long seq = deadlines.poll();
            if (seq > floor && seq > settledSeq && !settledAhead(seq)) {
                expired++;
                return seq;
            }
        }
        return -1;
    }

    /** {@code seq} expired or was dropped here while messages before it are not settled yet. */
    void settleAhead(long seq) {
        if (settledAhead == null) settledAhead = new SeqSet();
        settledAhead.add(seq);
    }

    /** Whether {@code seq}, above the settled prefix, expired or was dropped here. */
    boolean settledAhead(long seq) {
        return settledAhead != null && settledAhead.contains(seq);
    }

    /** Messages expired or dropped here and not yet part of the settled prefix. */
    int settledAheadCount() {
        return settledAhead == null ? 0 : settledAhead.size();
    }

    /** The settled prefix {@code settledSeq}, extended over the messages settled here right after it. */
    long settledFrom(long settledSeq) {
        long settled = settledSeq;
        while (settledAhead != null && !settledAhead.isEmpty() && settledAhead.first() <= settled + 1) {
            settled = Math.max(settled, settledAhead.pollFirst());
        }
        return settled;
    }

    /**
     * Drops stale deadlines once they outnumber the {@code candidates} (messages that may still expire here), so the
     * index stays within twice the untransmitted messages with a time to live (plus a constant).
     */
    void compact(long candidates, long floor) {
        if (deadlines.size() > 64 && deadlines.size() > 2 * candidates) {
            deadlines.retainValues(seq -> seq > floor);
        }
    }

    /** Messages expired here, for the stream's statistics. */
    long expired() {
        return expired;
    }
}
