package dev.tether.internal.util;

import java.util.Arrays;

/**
 * Consecutive sequence numbers {@code first..last} mapped to values, in a growable circular array: O(1)
 * append at the end, lookup by sequence number and removal from the front.
 */
public final class SeqRing<T> {
    private Object[] slots = new Object[16];
    private int head;
    private int size;
    private long firstSeq = 1;

    public boolean isEmpty() {
        return size == 0;
    }

    public int size() {
        return size;
    }

    /** The sequence number the next {@link #add} must carry. */
    public long nextSeq() {
        return firstSeq + size;
    }

    /** Empties the ring; the next value added will be {@code seq}. */
    public void resetTo(long seq) {
        Arrays.fill(slots, null);
        head = 0;
        size = 0;
        firstSeq = seq;
    }

    public void add(long seq, T value) {
        if (seq != nextSeq()) throw new IllegalStateException("expected seq " + nextSeq() + ", got " + seq);
        if (size == slots.length) grow();
        slots[(head + size) & (slots.length - 1)] = value;
        size++;
    }

    /** The value of {@code seq}, or null if it is not held. */
    @SuppressWarnings("unchecked")
    public T get(long seq) {
        long i = seq - firstSeq;
        if (i < 0 || i >= size) return null;
        return (T) slots[(int) ((head + i) & (slots.length - 1))];
    }

    /** Replaces the value of {@code seq}, which must be held. */
    public void set(long seq, T value) {
        long i = seq - firstSeq;
        if (i < 0 || i >= size) throw new IllegalStateException("seq " + seq + " is not held");
        slots[(int) ((head + i) & (slots.length - 1))] = value;
    }

    /** Removes every value with a sequence number up to {@code seq}. */
    public void removeUpTo(long seq) {
        while (size > 0 && firstSeq <= seq) {
            slots[head] = null;
            head = (head + 1) & (slots.length - 1);
            size--;
            firstSeq++;
        }
        if (size == 0 && firstSeq <= seq) firstSeq = seq + 1;
    }

    /** Removes every value with a sequence number from {@code seq} on. */
    public void removeFrom(long seq) {
        while (size > 0 && firstSeq + size - 1 >= seq) {
            size--;
            slots[(head + size) & (slots.length - 1)] = null;
        }
    }

    /** If empty, lets go of an array grown beyond its first size. */
    public void compact() {
        if (size == 0 && slots.length > 16) {
            slots = new Object[16];
            head = 0;
        }
    }

    private void grow() {
        // Two block copies, not a store per slot: a stream's ring grows again after every idle compaction.
        Object[] bigger = new Object[slots.length * 2];
        int tail = Math.min(size, slots.length - head);
        System.arraycopy(slots, head, bigger, 0, tail);
        System.arraycopy(slots, 0, bigger, tail, size - tail);
        slots = bigger;
        head = 0;
    }
}
