package dev.tether.internal.runtime;

import dev.tether.spi.KeyValue;
import dev.tether.spi.Store;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;

/**
 * Reads a whole namespace of a store's key-value area, page by page (Store rule 12): pattern layers load their state
 * with it before the node starts, while nothing else uses the store.
 */
public final class KeyPages {
    private static final int PAGE = 1000;

    private KeyPages() {}

    /** Every entry of {@code namespace} live at {@code now}, in key order. */
    public static List<KeyValue> readAll(Store store, String namespace, long now) {
        List<KeyValue> all = new ArrayList<>();
        String after = null;
        while (true) {
            List<KeyValue> page = store.readKeys(namespace, after, now, PAGE);
            if (page.isEmpty()) return all;
            all.addAll(page);
            after = page.get(page.size() - 1).key();
        }
    }

    /**
     * The {@code limit} entries of {@code namespace} live at {@code now} that expire last, oldest first; reads the
     * whole namespace page by page but holds no more than {@code limit} entries and one page (a store may hold more
     * than its user keeps: entries written by an earlier version, or evicted where no delete could be written).
     */
    public static List<KeyValue> readNewest(Store store, String namespace, long now, int limit) {
        Comparator<KeyValue> byExpiry = Comparator.comparingLong(KeyValue::expiresAtMillis);
        PriorityQueue<KeyValue> newest = new PriorityQueue<>(byExpiry); // its head: the first to give way
        String after = null;
        while (limit > 0) {
            List<KeyValue> page = store.readKeys(namespace, after, now, PAGE);
            if (page.isEmpty()) break;
            for (KeyValue kv : page) {
                if (newest.size() < limit) newest.add(kv);
                else if (kv.expiresAtMillis() > newest.peek().expiresAtMillis()) {
                    newest.poll();
                    newest.add(kv);
                }
            }
            after = page.get(page.size() - 1).key();
        }
        List<KeyValue> sorted = new ArrayList<>(newest);
        sorted.sort(byExpiry);
        return sorted;
    }
}
