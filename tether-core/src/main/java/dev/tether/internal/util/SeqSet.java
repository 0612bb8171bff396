package dev.tether.internal.util;

import java.util.Collections;
import java.util.TreeSet;

/**
 * A sorted set of sequence numbers that allocates nothing until its first element: most streams never hold one (a
 * marker, a cancellation, an expiry ahead), and ten thousand idle streams would otherwise keep as many empty trees.
 * Not thread-safe; its owner's thread only.
 */
public final class SeqSet {
    private TreeSet<Long> seqs;

    public boolean add(long seq) {
        if (seqs == null) seqs = new TreeSet<>();
        return seqs.add(seq);
    }

    public boolean remove(long seq) {
        return seqs != null && seqs.remove(seq);
    }

    public boolean contains(long seq) {
        return seqs != null && seqs.contains(seq);
    }

    public boolean isEmpty() {
        return seqs == null || seqs.isEmpty();
    }

    public int size() {
        return seqs == null ? 0 : seqs.size();
    }

    /** The lowest element. @throws java.util.NoSuchElementException if empty */
    public long first() {
        if (seqs == null) throw new java.util.NoSuchElementException();
        return seqs.first();
    }

    /** Removes and returns the lowest element. @throws java.util.NoSuchElementException if empty */
    public long pollFirst() {
        if (isEmpty()) throw new java.util.NoSuchElementException();
        return seqs.pollFirst();
    }

    /** The lowest element above {@code seq}; {@link Long#MAX_VALUE} if there is none. */
    public long firstAbove(long seq) {
        Long next = seqs == null ? null : seqs.higher(seq);
        return next == null ? Long.MAX_VALUE : next;
    }

    /** Removes every element at or below {@code seq}. */
    public void removeUpTo(long seq) {
        if (seqs != null && !seqs.isEmpty()) seqs.headSet(seq, true).clear();
    }

    /** Removes every element above {@code seq}. */
    public void removeAbove(long seq) {
        if (seqs != null && !seqs.isEmpty()) seqs.tailSet(seq, false).clear();
    }

    /** The elements above {@code seq}, ascending: a view, not to be changed while iterated. */
    public Iterable<Long> above(long seq) {
        return seqs == null ? Collections.emptySet() : Collections.unmodifiableSortedSet(seqs.tailSet(seq, false));
    }

    /** Removes every element, and frees the tree. */
    public void clear() {
        seqs = null;
    }
}
