package dev.tether.internal.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.Durability;
import dev.tether.spi.KeyValue;
import dev.tether.spi.WriteBatch;
import dev.tether.store.memory.InMemoryStore;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * docs/MESSAGING.md, Idempotency keys, Bounds: "A start reads the newest maxKeys entries, holding no more than those
 * and one page of 1,000 in memory (a store written before this bound may hold more, which go as they expire)." A store
 * holding more entries than the bound (written with a larger maxKeys, or before the bound) gives back the newest
 * ones: those whose window ends last, over several pages.
 */
class KeyPagesNewestTest {
    @Test
    void aStartReadsTheNewestEntriesWhenTheStoreHoldsMoreThanTheBound() {
        InMemoryStore store = new InMemoryStore();
        store.open(Durability.MEMORY);
        long now = 1_000_000;
        int stored = 2_500; // more than two pages
        WriteBatch b = new WriteBatch();
        // key order and expiry order differ: k0000 expires last
        for (int i = 0; i < stored; i++) {
            String key = String.format("a|k%04d", i);
            b.put(new KeyValue("_idem", key, "x#1".getBytes(StandardCharsets.US_ASCII), now + 10_000 + stored - i));
        }
        store.commit(b);

        List<KeyValue> newest = KeyPages.readNewest(store, "_idem", now, 3);

        assertThat(newest).extracting(KeyValue::key).containsExactlyInAnyOrder("a|k0000", "a|k0001", "a|k0002");
    }
}
