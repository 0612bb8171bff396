package dev.tether.internal.engine;

import dev.tether.internal.util.SeqSet;
import java.util.List;
import java.util.function.LongConsumer;
import java.util.function.LongPredicate;

/**
 * The messages of one sender stream dropped here to make room for a new one (overflow policy DROP_OLDEST,
 * docs/BUS-DESIGN.md 4.3): always the oldest one never transmitted, the set the sender may already expire
 * (docs/PROTOCOL.md, sender step 9). A dropped message is settled here like one expired here, and goes out as a
 * DROPPED marker so the receiver's stream stays gap-free. A drop is <em>held</em> until the batch that stores it (the
 * trim past it, or its {@link DroppedRows} record) is durable: its marker and everything after it are not transmitted
 * and DROPPED is not reported before, so a crash either loses the drop whole or keeps it ({@link SenderDrops}). Owned
 * by its {@link OutStream}; the engine's thread only.
 */
final class DroppedHere {
    /**
     * Dropped messages above the receiver's acknowledged prefix: they go out as DROPPED markers. Null until the first:
     * most streams never drop, and each message looks here, so an idle set costs no object to visit.
     */
    private SeqSet markers;
    /** Dropped messages numbered in a store batch not committed yet: settled when it commits. Null until the first. */
    private SeqSet onCommit;
    /** Drops not durable yet: neither they nor what follows them is transmitted. Null until the first. */
    private SeqSet held;
    /** Held drops in no batch yet (new, or their batch failed): the next batch stores them. Null until the first. */
    private SeqSet unwritten;
    /** Below this, nothing is droppable any more: dropped, expired, or transmitted. */
    private long from = 1;
    /** The stored record ({@link DroppedRows}) must be written again; whether the store holds one. */
    private boolean recordDue, recorded;

    /**
     * Drops the oldest message from {@code first} to {@code last} that is not {@code settled} (expired or dropped here
     * already) and returns its number; -1 if there is none. The caller settles it ({@link #committed} for one not
     * committed yet).
     */
    long dropOldest(long first, long last, long committedSeq, long ackedSeq, LongPredicate settled) {
        if (markers != null
                && markers.size() >= DroppedRows.MAX_RUNS
                && runsAbove(ackedSeq).length >= DroppedRows.MAX_RUNS) return -1;
        for (long seq = Math.max(from, first); seq <= last; seq++) {
            if (settled.test(seq)) continue;
            from = seq + 1;
            recordDue = true;
            if (markers == null) markers = new SeqSet();
            markers.removeUpTo(ackedSeq); // bounded by the unacknowledged messages
            markers.add(seq);
            if (held == null) {
                held = new SeqSet();
                unwritten = new SeqSet();
            }
            held.add(seq);
            unwritten.add(seq);
            if (seq > committedSeq) {
                if (onCommit == null) onCommit = new SeqSet();
                onCommit.add(seq);
            }
            return seq;
        }
        return -1;
    }

    /**
     * A restarted process: the record stored by an earlier one ({@link DroppedRows}), {@code runs} of dropped numbers,
     * of which those above {@code ackedSeq} and up to {@code lastSeq} are still stored: each is {@code settle}d here.
     */
    void restore(long[] runs, long ackedSeq, long lastSeq, LongConsumer settle) {
        recorded = true;
        recordDue = true; // rewritten with the numbers still needed, or deleted
        for (int i = 0; i + 1 < runs.length; i += 2) {
            for (long seq = Math.max(runs[i], ackedSeq + 1); seq <= Math.min(runs[i + 1], lastSeq); seq++) {
                if (markers == null) markers = new SeqSet();
                markers.add(seq);
                settle.accept(seq);
            }
        }
    }

    /**
     * The runs ({@code from, to} pairs) of dropped numbers above {@code settledSeq}, whose rows the store keeps, for
     * the stored record, if it must be written: else null. Clears that it is due.
     */
    long[] recordToWrite(long settledSeq) {
        if (!recordDue) return null;
        recordDue = false;
        long[] runs = runsAbove(settledSeq);
        if (runs.length == 0 && !recorded) return null;
        recorded = runs.length > 0;
        return runs;
    }

    /**
     * The record is due again if the store holds one (the settled prefix passed dropped numbers, or a batch with it
     * failed); returns whether it is due.
     */
    boolean recordAgain() {
        if (recorded) recordDue = true;
        return recordDue;
    }

    private long[] runsAbove(long settledSeq) {
        long[] runs = new long[8];
        int n = 0;
        for (long seq : markers == null ? List.<Long>of() : markers.above(settledSeq)) {
            if (n > 0 && runs[n - 1] == seq - 1) {
                runs[n - 1] = seq;
                continue;
            }
            if (n == runs.length) runs = java.util.Arrays.copyOf(runs, n * 2);
            runs[n++] = seq;
            runs[n++] = seq;
        }
        return java.util.Arrays.copyOf(runs, n);
    }

    /**
     * Messages after {@code sentUpTo} may be transmitted up to here: before the first held drop. One check on a stream
     * with nothing held.
     */
    long holdLimit(long sentUpTo) {
        if (held == null || held.isEmpty()) return Long.MAX_VALUE;
        long first = held.firstAbove(sentUpTo);
        return first == Long.MAX_VALUE ? first : first - 1;
    }

    /**
     * Takes the held drops in no batch yet, for the batch being written, which stores them: each is in the trim it
     * carries or an earlier batch's (at or below the settled prefix) or in the record it carries (above it).
     */
    long[] takeUnwritten() {
        if (unwritten == null || unwritten.isEmpty()) return null;
        long[] seqs = new long[unwritten.size()];
        int i = 0;
        for (long seq : unwritten.above(Long.MIN_VALUE)) seqs[i++] = seq;
        unwritten.clear();
        return seqs;
    }

    /** The batch storing the drop of {@code seq} is durable: true if it was held until now (it takes effect). */
    boolean durable(long seq) {
        return held != null && held.remove(seq);
    }

    /** The batch that was to store the drop of {@code seq} failed: the next one stores it, unless it is gone. */
    void unstored(long seq) {
        if (held == null || !held.contains(seq)) return;
        unwritten.add(seq);
        recordDue = true;
    }

    /** Whether {@code seq} was dropped here: a DROPPED marker stands in for it. */
    boolean contains(long seq) {
        return markers != null && markers.contains(seq);
    }

    /** Message {@code seq} is committed: true if it was dropped while its batch was being stored (settle it now). */
    boolean committed(long seq) {
        return onCommit != null && onCommit.remove(seq);
    }

    /** Dropped messages waiting for their batch, not counted as the stream's any more. */
    int waitingForCommit() {
        return onCommit == null ? 0 : onCommit.size();
    }

    /** The batches holding every number after {@code committedSeq} failed: those numbers are free again. */
    void appendsFailed(long committedSeq) {
        if (onCommit != null) {
            recordDue |= !onCommit.isEmpty();
            onCommit.clear();
        }
        if (markers != null) markers.removeAbove(committedSeq);
        if (held != null) {
            held.removeAbove(committedSeq);
            unwritten.removeAbove(committedSeq);
        }
        from = Math.min(from, committedSeq + 1);
    }
}
