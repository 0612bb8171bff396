package dev.tether.internal.engine;

import dev.tether.internal.util.SeqSet;

/**
 * The messages of one outbound stream that the application withdrew (cancelled calls), in sequence order. On a stored
 * stream a withdrawal is a mark in the store ({@link WithdrawnMarks}): until the batch holding it is durable the
 * message is <em>held</em> (not transmitted, neither as itself nor as a marker), afterwards it is <em>marked</em> and
 * every transmission of it is a CANCELLED marker, also after a restart. On a volatile stream (and a reader of a shared
 * log) the mark is in memory only and takes effect at once. Owned by its {@link OutStream}; the engine's thread only.
 */
final class Withdrawals {
    /**
     * The withdrawals of every stream that has none yet (most never withdraw): one object shared, read on every
     * transmission, so that a stream's own object is made only at its first withdrawal ({@link #of}), and 10,000
     * streams do not touch 10,000 more objects (a cache miss each) per turn nor keep them. Never changed.
     */
    static final Withdrawals NONE = new Withdrawals();

    /** Transmitted as markers: durable marks (or memory-only ones), above what the store trimmed with its mark. */
    private final SeqSet marked = new SeqSet();
    /** The stored marks' bookkeeping; null until the first stored withdrawal, as most streams never withdraw. */
    private Stored stored;

    /**
     * When the CANCELs of the withdrawn messages the receiver may hold go again ({@link SenderWithdrawals#resendDue}),
     * {@code Long.MAX_VALUE} if not scheduled: from the first withdrawal in effect until every withdrawn message is
     * settled, so that a CANCEL lost on a connection that stays up is repeated until the sender learns the outcome.
     */
    private long resendAt = Long.MAX_VALUE;
    /** The pause before the next resend: doubled after each, up to the largest retransmission timeout. */
    private long resendPause;
    /**
     * Where the next resend starts: after the last CANCEL the previous one sent if it stopped at its bound with more
     * left, so that every withdrawn message gets its turn; 0: from the first unsettled one.
     */
    private long resendCursor;

    /** A stored stream's marks on their way to and from the store. */
    private static final class Stored {
        /** Withdrawn, the mark not durable yet: held back. */
        final SeqSet held = new SeqSet();
        /** Held marks not written in any batch yet (new, or their batch failed). */
        final SeqSet toPut = new SeqSet();
        /** Marks the store holds (or may hold) for settled messages: deleted with the next batch. */
        final SeqSet toDelete = new SeqSet();
    }

    /** {@code s}'s own withdrawals, made now if it has none yet: before anything is withdrawn or restored. */
    static Withdrawals of(OutStream s) {
        if (s.withdrawals == NONE) s.withdrawals = new Withdrawals();
        return s.withdrawals;
    }

    private void changing() {
        if (this == NONE) throw new IllegalStateException("the shared empty withdrawals must not change");
    }

    private Stored stored() {
        changing();
        if (stored == null) stored = new Stored();
        return stored;
    }

    /**
     * A memory-only withdrawal, in effect at once; forgets those at or below {@code ackedSeq} (so the set is bounded by
     * the unacknowledged messages). False if it was withdrawn already.
     */
    boolean add(long seq, long ackedSeq) {
        changing();
        marked.removeUpTo(ackedSeq);
        return marked.add(seq);
    }

    /** A stored withdrawal: held until its mark, written with the next batch, is durable. False if known already. */
    boolean hold(long seq) {
        if (marked.contains(seq) || !stored().held.add(seq)) return false;
        stored.toPut.add(seq);
        return true;
    }

    /** When the withdrawn messages' CANCELs go again; {@code Long.MAX_VALUE}: never (also for {@link #NONE}). */
    long resendAt() {
        return resendAt;
    }

    /**
     * A withdrawal took effect, or the stream opened on a new connection, at {@code now}: the CANCELs go again after
     * {@code pause} (the initial retransmission timeout), unless a resend is due sooner.
     */
    void resendAfter(long now, long pause) {
        changing();
        if (now + pause >= resendAt) return;
        resendAt = now + pause;
        resendPause = pause;
    }

    /** The CANCELs went again at {@code now}: the next resend after twice the pause, at most {@code maxPause}. */
    void resent(long now, long maxPause) {
        resendPause = Math.min(resendPause * 2, maxPause);
        resendAt = now + resendPause;
    }

    /** The resend waits for the next tick without backing off (the tick's budget of CANCELs is spent). */
    void resendNextTick(long now) {
        resendAt = now + 1;
    }

    long resendCursor() {
        return resendCursor;
    }

    void resendCursor(long seq) {
        resendCursor = seq;
    }

    /** Every withdrawn message is settled: no more resends. */
    void resendDone() {
        resendAt = Long.MAX_VALUE;
    }

    /** The withdrawn messages (with effect) above {@code seq}, ascending: a view, not to be changed while iterated. */
    Iterable<Long> markedAbove(long seq) {
        return marked.above(seq);
    }

    /** Whether a message above {@code seq} is withdrawn with effect. */
    boolean anyMarkedAbove(long seq) {
        return marked.firstAbove(seq) != Long.MAX_VALUE;
    }

    /** Whether {@code seq} is withdrawn with effect: transmitted as a marker. */
    boolean contains(long seq) {
        return marked.contains(seq);
    }

    /**
     * Messages after {@code sentUpTo} may be transmitted up to here: before the first held one. Costs one check on a
     * stream with nothing held.
     */
    long holdLimit(long sentUpTo) {
        if (stored == null || stored.held.isEmpty()) return Long.MAX_VALUE;
        long first = stored.held.firstAbove(sentUpTo);
        return first == Long.MAX_VALUE ? first : first - 1;
    }

    /** Whether a mark must be written or deleted with the next batch. */
    boolean hasWrites() {
        return stored != null && (!stored.toPut.isEmpty() || !stored.toDelete.isEmpty());
    }

    /** Whether nothing is withdrawn, held or left to delete. */
    boolean isEmpty() {
        return marked.isEmpty() && (stored == null || stored.held.isEmpty() && stored.toDelete.isEmpty());
    }

    /**
     * The stream settled everything up to {@code settledSeq}: their marks are no longer needed and are deleted with the
     * next batch; held ones not written yet are simply forgotten (a written one is deleted once its put commits,
     * {@link #putCommitted}). Returns whether deletes are due.
     */
    boolean settled(long settledSeq) {
        for (long seq : marked.above(0)) { // durable marks, also those restored at a restart
            if (seq > settledSeq) break;
            stored().toDelete.add(seq);
        }
        marked.removeUpTo(settledSeq);
        if (stored == null) return false;
        for (long seq : stored.toPut.above(0)) {
            if (seq > settledSeq) break;
            stored.held.remove(seq);
        }
        stored.toPut.removeUpTo(settledSeq);
        return !stored.toDelete.isEmpty();
    }

    /** Takes the marks to put with a batch (those above {@code settledSeq}: the others are forgotten, see above). */
    long[] takePuts(long settledSeq) {
        settled(settledSeq);
        if (stored == null) return new long[0];
        long[] seqs = toArray(stored.toPut);
        stored.toPut.clear();
        return seqs;
    }

    /** Takes the marks to delete with a batch. */
    long[] takeDeletes() {
        if (stored == null) return new long[0];
        long[] seqs = toArray(stored.toDelete);
        stored.toDelete.clear();
        return seqs;
    }

    /**
     * The mark of {@code seq} is durable: true if the message is withdrawn with effect now; false if it was settled or
     * freed meanwhile, and the mark is deleted with the next batch.
     */
    boolean putCommitted(long seq, long settledSeq) {
        if (stored().held.remove(seq) && seq > settledSeq) return marked.add(seq);
        stored.toDelete.add(seq);
        return false;
    }

    /** The batch with the mark of {@code seq} failed: written again with the next one, unless settled meanwhile. */
    void putFailed(long seq) {
        if (stored != null && stored.held.contains(seq)) stored.toPut.add(seq);
    }

    /** The batch deleting the mark of {@code seq} failed: deleted with the next one. */
    void deleteFailed(long seq) {
        stored().toDelete.add(seq);
    }

    /** The batches holding every number after {@code committedSeq} failed: those numbers are free again. */
    void appendsFailed(long committedSeq) {
        marked.removeAbove(committedSeq);
        if (stored == null) return;
        stored.held.removeAbove(committedSeq);
        stored.toPut.removeAbove(committedSeq);
    }

    /** A restarted process: the stored mark of {@code seq}, a message still unsettled, is in effect. */
    void restore(long seq) {
        changing();
        marked.add(seq);
    }

    private static long[] toArray(SeqSet set) {
        long[] a = new long[set.size()];
        int i = 0;
        for (long seq : set.above(Long.MIN_VALUE)) a[i++] = seq;
        return a;
    }
}
