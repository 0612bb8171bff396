package dev.tether.internal.runtime;

import dev.tether.spi.KeyValue;
import dev.tether.spi.Store;
import java.util.ArrayList;
import java.util.List;

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
}
