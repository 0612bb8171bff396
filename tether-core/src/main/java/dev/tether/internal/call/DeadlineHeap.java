package dev.tether.internal.call;

import java.util.Arrays;
import java.util.function.Consumer;

/**
 * A min-heap of {@link Timed} items by deadline, with removal of any item in O(log n): each item knows its index,
 * so an answered call leaves the heap at once instead of lingering until its deadline (with 30 s timeouts at tens
 * of thousands of calls per second, lingering entries would be millions). Not thread-safe: node thread only.
 */
final class DeadlineHeap<T extends Timed> {
    private Timed[] items = new Timed[64];
    private int size;

    int size() {
        return size;
    }

    void add(T item) {
        if (item.heapIndex >= 0) throw new IllegalStateException("already in a heap");
        if (size == items.length) items = Arrays.copyOf(items, size * 2);
        items[size] = item;
        item.heapIndex = size;
        up(size++);
    }

    /** Removes {@code item} if it is in this heap; returns whether it was. */
    boolean remove(T item) {
        int i = item.heapIndex;
        if (i < 0 || i >= size || items[i] != item) return false;
        item.heapIndex = -1;
        Timed last = items[--size];
        items[size] = null;
        if (i < size) {
            items[i] = last;
            last.heapIndex = i;
            up(i);
            down(last.heapIndex);
        }
        return true;
    }

    /** Removes every item whose deadline is at or before {@code now}, earliest first, and passes it to {@code due}. */
    @SuppressWarnings("unchecked")
    void expire(long now, Consumer<T> due) {
        while (size > 0 && items[0].deadline <= now) {
            T first = (T) items[0];
            remove(first);
            due.accept(first);
        }
    }

    private void up(int i) {
        Timed x = items[i];
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            Timed p = items[parent];
            if (p.deadline <= x.deadline) break;
            items[i] = p;
            p.heapIndex = i;
            i = parent;
        }
        items[i] = x;
        x.heapIndex = i;
    }

    private void down(int i) {
        Timed x = items[i];
        int half = size >>> 1;
        while (i < half) {
            int child = 2 * i + 1;
            int right = child + 1;
            if (right < size && items[right].deadline < items[child].deadline) child = right;
            if (x.deadline <= items[child].deadline) break;
            items[i] = items[child];
            items[i].heapIndex = i;
            i = child;
        }
        items[i] = x;
        x.heapIndex = i;
    }
}
