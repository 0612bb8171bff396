package dev.tether.internal.util;

import java.util.Arrays;
import java.util.function.LongPredicate;

/**
 * A binary min-heap of {@code (key, value)} pairs of longs in two growable primitive arrays: no object per entry,
 * 16 bytes per pair. O(log n) {@link #add} and {@link #poll}, O(1) {@link #minKey}. Not thread-safe.
 */
public final class LongHeap {
    // Empty until the first add: most streams never hold a deadline, and 10,000 idle ones would hold 3 MiB of these.
    private long[] keys = new long[0];
    private long[] values = new long[0];
    private int size;

    public boolean isEmpty() {
        return size == 0;
    }

    public int size() {
        return size;
    }

    /** The smallest key; the heap must not be empty. */
    public long minKey() {
        return keys[0];
    }

    /** The value of the smallest key; the heap must not be empty. */
    public long minValue() {
        return values[0];
    }

    public void add(long key, long value) {
        if (size == keys.length) {
            keys = Arrays.copyOf(keys, Math.max(8, size * 2));
            values = Arrays.copyOf(values, Math.max(8, size * 2));
        }
        int i = size++;
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            if (keys[parent] <= key) break;
            keys[i] = keys[parent];
            values[i] = values[parent];
            i = parent;
        }
        keys[i] = key;
        values[i] = value;
    }

    /** Removes the pair with the smallest key and returns its value; the heap must not be empty. */
    public long poll() {
        long value = values[0];
        size--;
        if (size > 0) siftDown(0, keys[size], values[size]);
        return value;
    }

    /** Keeps only the pairs whose value passes {@code keep}, in O(n). */
    public void retainValues(LongPredicate keep) {
        int n = 0;
        for (int i = 0; i < size; i++) {
            if (keep.test(values[i])) {
                keys[n] = keys[i];
                values[n] = values[i];
                n++;
            }
        }
        size = n;
        for (int i = (size >>> 1) - 1; i >= 0; i--) siftDown(i, keys[i], values[i]);
    }

    private void siftDown(int i, long key, long value) {
        int half = size >>> 1;
        while (i < half) {
            int child = 2 * i + 1;
            if (child + 1 < size && keys[child + 1] < keys[child]) child++;
            if (key <= keys[child]) break;
            keys[i] = keys[child];
            values[i] = values[child];
            i = child;
        }
        keys[i] = key;
        values[i] = value;
    }
}
