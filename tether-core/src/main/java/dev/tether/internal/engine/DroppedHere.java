package dev.tether.internal.engine;

import java.util.TreeSet;
import java.util.function.LongPredicate;

/**
 * The messages of one sender stream dropped here to make room for a new one (overflow policy DROP_OLDEST,
 * docs/BUS-DESIGN.md 4.3): always the oldest one never transmitted, the set the sender may already expire
 * (docs/PROTOCOL.md, sender step 9). A dropped message is settled here like one expired here, and goes out as a
 * DROPPED marker so the receiver's stream stays gap-free. Owned by its {@link OutStream}; the engine's thread only.
 */
final class DroppedHere {
    /** Dropped messages above the receiver's acknowledged prefix: they go out as DROPPED markers. */
    private final TreeSet<Long> markers = new TreeSet<>();
    /** Dropped messages numbered in a store batch not committed yet: settled when it commits. */
    private final TreeSet<Long> onCommit = new TreeSet<>();
    /** Below this, nothing is droppable any more: dropped, expired, or transmitted. */
    private long from = 1;

    /**
     * Drops the oldest message from {@code first} to {@code last} that is not {@code settled} (expired or dropped here
     * already) and returns its number; -1 if there is none. The caller settles it ({@link #committed} for one not
     * committed yet).
     */
    long dropOldest(long first, long last, long committedSeq, long ackedSeq, LongPredicate settled) {
        for (long seq = Math.max(from, first); seq <= last; seq++) {
            if (settled.test(seq)) continue;
            from = seq + 1;
            markers.headSet(ackedSeq, true).clear(); // bounded by the unacknowledged messages
            markers.add(seq);
            if (seq > committedSeq) onCommit.add(seq);
            return seq;
        }
        return -1;
    }

    /** Whether {@code seq} was dropped here: a DROPPED marker stands in for it. */
    boolean contains(long seq) {
        return !markers.isEmpty() && markers.contains(seq);
    }

    /** Message {@code seq} is committed: true if it was dropped while its batch was being stored (settle it now). */
    boolean committed(long seq) {
        return !onCommit.isEmpty() && onCommit.remove(seq);
    }

    /** Dropped messages waiting for their batch, not counted as the stream's any more. */
    int waitingForCommit() {
        return onCommit.size();
    }

    /** The batches holding every number after {@code committedSeq} failed: those numbers are free again. */
    void appendsFailed(long committedSeq) {
        onCommit.clear();
        markers.tailSet(committedSeq, false).clear();
        from = Math.min(from, committedSeq + 1);
    }
}
