package dev.tether.internal.engine;

import dev.tether.internal.util.SeqSet;

/**
 * The messages of one outbound stream, above what its receiver acknowledged, that the application withdrew (cancelled
 * calls), in sequence order: they are transmitted as CANCELLED markers. Owned by its {@link OutStream}; the engine's
 * owner thread only.
 */
final class Withdrawals {
    /** Null until the first: most streams never withdraw, and each message transmitted looks here. */
    private SeqSet seqs;

    /**
     * Withdraws {@code seq}, forgetting those at or below {@code ackedSeq} (so the set is bounded by the unacknowledged
     * messages); false if it was withdrawn already.
     */
    boolean add(long seq, long ackedSeq) {
        if (seqs == null) seqs = new SeqSet();
        seqs.removeUpTo(ackedSeq);
        return seqs.add(seq);
    }

    /** Whether {@code seq} is withdrawn: transmitted as a marker. */
    boolean contains(long seq) {
        return seqs != null && seqs.contains(seq);
    }

    void clear() {
        seqs = null;
    }
}
