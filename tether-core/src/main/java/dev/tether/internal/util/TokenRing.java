package dev.tether.internal.util;

import java.util.Objects;
import java.util.function.Consumer;

/**
 * Values keyed by {@code long} tokens handed out in increasing order and held briefly, in a growable circular array
 * indexed by the token's distance from the lowest one held: O(1) put, lookup and removal (amortized), no object per
 * entry. Tokens may arrive somewhat out of order (two threads take consecutive tokens and post them in the other
 * order) and leave in any order; the array spans the lowest to the highest token held, so memory follows that span,
 * not the number of values: a token held for long while many later ones come and go keeps the whole span. Like a
 * {@code HashMap}'s table, the array does not shrink. Not thread-safe.
 */
public final class TokenRing<T> {
    /** The widest span of tokens held at once (a lost token would otherwise grow the array without bound). */
    static final int MAX_SPAN = 1 << 28;

    private Object[] slots = new Object[16];
    /** The slot of {@link #first}. */
    private int head;
    /** The lowest token held (valid while {@link #span} is positive). */
    private long first;
    /** Tokens {@code first..first+span-1} are covered by slots; the first and the last hold values. */
    private int span;

    private int size;

    public int size() {
        return size;
    }

    public boolean isEmpty() {
        return size == 0;
    }

    /**
     * Holds {@code value} under {@code token}.
     *
     * @throws IllegalStateException if {@code token} is held already, or the tokens held would span more than {@link
     *     #MAX_SPAN}
     */
    public void put(long token, T value) {
        Objects.requireNonNull(value, "value");
        if (span == 0) {
            first = token;
            span = 1;
        } else if (token < first) {
            int more = widen(first - token + span);
            head = (head - more) & (slots.length - 1);
            span += more;
            first = token;
        } else if (token >= first + span) {
            widen(token - first + 1);
            span = (int) (token - first + 1);
        }
        int i = slot(token);
        if (slots[i] != null) throw new IllegalStateException("token " + token + " is held already");
        slots[i] = value;
        size++;
    }

    /** Makes room for a span of {@code wanted} tokens; returns by how much it exceeds the current span. */
    private int widen(long wanted) {
        if (wanted > MAX_SPAN) {
            throw new IllegalStateException(
                    "tokens held would span " + wanted + ", more than " + MAX_SPAN + " (lowest held " + first + ")");
        }
        if (wanted > slots.length) grow((int) wanted);
        return (int) wanted - span;
    }

    private int slot(long token) {
        return (int) ((head + (token - first)) & (slots.length - 1));
    }

    /** The value of {@code token}, or null if it is not held. */
    @SuppressWarnings("unchecked")
    public T get(long token) {
        if (span == 0 || token < first || token >= first + span) return null;
        return (T) slots[slot(token)];
    }

    /** Removes and returns the value of {@code token}, or null if it is not held. */
    public T remove(long token) {
        T v = get(token);
        if (v == null) return null;
        slots[slot(token)] = null;
        size--;
        if (size == 0) {
            span = 0;
            return v;
        }
        while (slots[head] == null) { // the lowest left: the span starts at the next held
            head = (head + 1) & (slots.length - 1);
            first++;
            span--;
        }
        while (slots[slot(first + span - 1)] == null) span--; // the highest left
        return v;
    }

    /** Calls {@code action} with every value held, in token order. */
    @SuppressWarnings("unchecked")
    public void forEach(Consumer<? super T> action) {
        for (int k = 0; k < span; k++) {
            Object v = slots[(head + k) & (slots.length - 1)];
            if (v != null) action.accept((T) v);
        }
    }

    /** Removes every value. */
    public void clear() {
        for (int k = 0; k < span; k++) slots[(head + k) & (slots.length - 1)] = null;
        span = 0;
        size = 0;
    }

    /** Grows the array to the next power of two of at least {@code wanted} slots, the span first, from slot 0. */
    private void grow(int wanted) {
        int n = Integer.highestOneBit(wanted - 1) << 1;
        Object[] bigger = new Object[n];
        int tail = Math.min(span, slots.length - head);
        System.arraycopy(slots, head, bigger, 0, tail);
        System.arraycopy(slots, 0, bigger, tail, span - tail);
        slots = bigger;
        head = 0;
    }
}
