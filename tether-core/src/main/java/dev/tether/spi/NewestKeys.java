package dev.tether.spi;

import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;

/**
 * The default of {@link Store#readNewestKeys} (rule 29) for a store that does not answer it itself: reads the whole
 * namespace with {@link Store#readKeys}, page by page, holding the newest {@code max} entries seen so far in a heap
 * whose head is the first to give way.
 */
final class NewestKeys {
    /** Entries per {@link Store#readKeys} call. */
    static final int PAGE = 1000;

    private NewestKeys() {}

    static List<KeyValue> read(Store store, String namespace, long nowMillis, int max) {
        KeyValue.checkNamespace(namespace);
        if (max < 0) throw new IllegalArgumentException("max must not be negative, was " + max);
        // Even for max 0 the store is asked once, so that a closed or unopened store throws as rule 10 says.
        PriorityQueue<KeyValue> newest = new PriorityQueue<>(KeyValue.EXPIRY_ORDER);
        String after = null;
        while (true) {
            List<KeyValue> page = store.readKeys(namespace, after, nowMillis, max == 0 ? 0 : PAGE);
            if (page.isEmpty()) break;
            for (KeyValue kv : page) {
                if (newest.size() < max) {
                    newest.add(kv);
                } else if (KeyValue.EXPIRY_ORDER.compare(kv, newest.peek()) > 0) {
                    newest.poll();
                    newest.add(kv);
                }
            }
            after = page.get(page.size() - 1).key();
        }
        List<KeyValue> sorted = new ArrayList<>(newest);
        sorted.sort(KeyValue.EXPIRY_ORDER);
        return sorted;
    }
}
