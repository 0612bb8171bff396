package dev.tether.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tether.NodeId;
import dev.tether.StoreException;
import dev.tether.spi.KeyValue;
import dev.tether.spi.Store;
import dev.tether.spi.StoredMessage;
import dev.tether.spi.WriteBatch;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The contract of the key-value area of {@link Store} (rules 2, 3, 11-15 and 29 of its Javadoc). {@link StoreContract}
 * runs it for every store as a nested suite; it can also be subclassed on its own. Stores are used from the test
 * thread only; the randomized test prints its seed ({@code -Dtether.seed=N} replays one).
 */
public abstract class KeyValueContract {
    /** For subclasses: one per implementation under test. */
    protected KeyValueContract() {}

    private static final String NS = "test.ns";
    private static final long NOW = 1_700_000_000_000L;
    private final List<Store> stores = new ArrayList<>();

    /** A new, empty, unopened store. */
    protected abstract Store newStore();

    /** A new, unopened store over the data of {@code previous}, closed or abandoned (a crash): as in StoreContract. */
    protected abstract Store reopen(Store previous);

    @AfterEach
    final void closeKeyValueStores() {
        stores.forEach(Store::close);
    }

    // ---- rules 11, 12: writes in batch order, reads by namespace in key order

    @Test
    void aPutComesBackWithEveryField() {
        Store store = opened();
        KeyValue kv = kv("k1", "v1", NOW + 1000);
        KeyValue empty = kv("k2", "", 0);
        store.commit(new WriteBatch().put(kv).put(empty));

        assertThat(store.readKeys(NS, null, NOW, 10)).containsExactly(kv, empty);
    }

    @Test
    void aPutReplacesValueAndExpiryAndADeleteRemoves() {
        Store store = opened();
        store.commit(new WriteBatch().put(kv("a", "1", NOW + 5)).put(kv("b", "2", 0)));
        store.commit(new WriteBatch().put(kv("a", "3", 0)).delete(NS, "b").delete(NS, "never-put"));

        assertThat(store.readKeys(NS, null, NOW + 10, 10)).containsExactly(kv("a", "3", 0));
    }

    @Test
    void theLastWriteOfAKeyInABatchWins() {
        Store store = opened();
        store.commit(new WriteBatch()
                .put(kv("a", "1", 0))
                .delete(NS, "a")
                .put(kv("a", "2", 0))
                .put(kv("b", "1", 0))
                .delete(NS, "b"));

        assertThat(store.readKeys(NS, null, NOW, 10)).containsExactly(kv("a", "2", 0));
    }

    @Test
    void readsPageInAscendingKeyOrder() {
        Store store = opened();
        WriteBatch w = new WriteBatch();
        for (String k : List.of("m", "B", "a", "~x", "!", "a0", "Z9")) w.put(kv(k, k, 0));
        store.commit(w);

        List<String> keys = new ArrayList<>();
        String after = null;
        while (true) {
            List<KeyValue> page = store.readKeys(NS, after, NOW, 2);
            if (page.isEmpty()) break;
            assertThat(page.size()).isLessThanOrEqualTo(2);
            page.forEach(e -> keys.add(e.key()));
            after = page.get(page.size() - 1).key();
        }
        assertThat(keys).containsExactly("!", "B", "Z9", "a", "a0", "m", "~x");
        assertThat(store.readKeys(NS, "a", NOW, 10)).extracting(KeyValue::key).containsExactly("a0", "m", "~x");
        assertThat(store.readKeys(NS, null, NOW, 0)).isEmpty();
    }

    @Test
    void namespacesNeverSeeEachOthersEntries() {
        Store store = opened();
        KeyValue other = new KeyValue("other", "k", bytes("o"), 0);
        store.commit(new WriteBatch().put(kv("k", "mine", 0)).put(other).delete("third", "k"));

        assertThat(store.readKeys(NS, null, NOW, 10)).containsExactly(kv("k", "mine", 0));
        assertThat(store.readKeys("other", null, NOW, 10)).containsExactly(other);
        assertThat(store.readKeys("third", null, NOW, 10)).isEmpty();
    }

    @Test
    void badReadArgumentsThrowIllegalArgument() {
        Store store = opened();
        assertThatThrownBy(() -> store.readKeys(NS, null, NOW, -1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> store.readKeys("bad ns", null, NOW, 1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void boundsAreCheckedWhereAnEntryIsMadeAndTheLargestRoundTrip() {
        String longest = "k".repeat(KeyValue.MAX_KEY_CHARS);
        KeyValue largest = new KeyValue(NS, longest, new byte[KeyValue.MAX_VALUE_BYTES], Long.MAX_VALUE);
        Store store = opened();
        store.commit(new WriteBatch().put(largest));
        assertThat(store.readKeys(NS, null, NOW, 1)).containsExactly(largest);

        assertThatThrownBy(() -> new KeyValue(NS, longest + "k", new byte[0], 0))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new KeyValue(NS, "k", new byte[KeyValue.MAX_VALUE_BYTES + 1], 0))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new KeyValue(NS, "with space", new byte[0], 0))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new KeyValue(NS, "", new byte[0], 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new KeyValue(NS, "é", new byte[0], 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new KeyValue("_bad/", "k", new byte[0], 0))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new KeyValue(NS, "k", new byte[0], -1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new WriteBatch().delete(NS, "")).isInstanceOf(IllegalArgumentException.class);
    }

    // ---- rule 2: part of the atomic batch; rule 15: durable

    @Test
    void aFailedBatchAppliesNoKeyWrite() {
        Store store = opened();
        store.commit(new WriteBatch().put(kv("kept", "1", 0)));
        StoredMessage gap = new StoredMessage(NodeId.of("b"), "default", 5, 0, Map.of(), bytes("gap"));
        WriteBatch bad =
                new WriteBatch().put(kv("new", "1", 0)).delete(NS, "kept").append(gap);

        assertThatThrownBy(() -> store.commit(bad)).isInstanceOf(StoreException.class);
        assertThat(store.readKeys(NS, null, NOW, 10)).containsExactly(kv("kept", "1", 0));
    }

    @Test
    void entriesSurviveCleanReopenAndCrash() {
        Store store = opened();
        store.commit(new WriteBatch().put(kv("a", "1", 0)).put(kv("b", "2", NOW + 60_000)));
        store.close();
        Store again = reopened(store);
        again.open(again.maxDurability());
        again.commit(new WriteBatch().put(kv("c", "3", 0)).delete(NS, "a"));
        // abandoned while open: a crash
        Store crashed = reopened(again);
        crashed.open(crashed.maxDurability());

        assertThat(crashed.readKeys(NS, null, NOW, 10)).containsExactly(kv("b", "2", NOW + 60_000), kv("c", "3", 0));
    }

    @Test
    void aClosedStoreRefusesReads() {
        Store store = opened();
        store.close();
        assertThatThrownBy(() -> store.readKeys(NS, null, NOW, 1)).isInstanceOf(StoreException.class);
    }

    // ---- rules 13, 14: expiry

    @Test
    void anExpiredEntryIsNotReturnedWhetherOrNotRemoved() {
        Store store = opened();
        store.commit(new WriteBatch().put(kv("soon", "1", NOW)).put(kv("later", "2", NOW + 1)));

        assertThat(store.readKeys(NS, null, NOW - 1, 10))
                .extracting(KeyValue::key)
                .containsExactly("later", "soon");
        assertThat(store.readKeys(NS, null, NOW, 10)).extracting(KeyValue::key).containsExactly("later");
        assertThat(store.readKeys(NS, null, NOW + 1, 10)).isEmpty();
    }

    @Test
    void removeExpiredDeletesEveryExpiredEntryOfEveryNamespaceAndNothingElse() {
        Store store = opened();
        KeyValue otherExpired = new KeyValue("other", "x", bytes("x"), NOW - 5);
        store.commit(new WriteBatch()
                .put(kv("old", "1", NOW))
                .put(kv("young", "2", NOW + 1))
                .put(kv("forever", "3", 0))
                .put(otherExpired));
        store.commit(new WriteBatch().removeExpiredKeys(NOW - 100).removeExpiredKeys(NOW));

        // Read as of long ago: only what was removed is missing.
        assertThat(store.readKeys(NS, null, 1, 10)).extracting(KeyValue::key).containsExactly("forever", "young");
        assertThat(store.readKeys("other", null, 1, 10)).isEmpty();
        Store again = reopened(store);
        again.open(again.maxDurability());
        assertThat(again.readKeys(NS, null, 1, 10)).extracting(KeyValue::key).containsExactly("forever", "young");
    }

    @Test
    void aPutInTheBatchThatRemovesExpiredEntriesIsRemovedIfExpired() {
        Store store = opened();
        store.commit(new WriteBatch()
                .put(kv("dead", "1", NOW))
                .put(kv("live", "1", NOW + 1))
                .removeExpiredKeys(NOW));
        assertThat(store.readKeys(NS, null, 1, 10)).extracting(KeyValue::key).containsExactly("live");
    }

    // ---- rule 29: the newest entries

    @Test
    void theNewestEntriesComeOldestFirstWithTheNeverExpiringLastAndTiesByKey() {
        Store store = opened();
        store.commit(new WriteBatch()
                .put(kv("e", "1", NOW + 30))
                .put(kv("b", "2", NOW + 10))
                .put(kv("c", "3", NOW + 20))
                .put(kv("a", "4", NOW + 20))
                .put(kv("never2", "5", 0))
                .put(kv("never1", "6", 0))
                .put(kv("gone", "7", NOW))
                .put(new KeyValue("other", "z", bytes("o"), NOW + 99)));

        assertThat(store.readNewestKeys(NS, NOW, 10))
                .extracting(KeyValue::key)
                .containsExactly("b", "a", "c", "e", "never1", "never2");
        assertThat(store.readNewestKeys(NS, NOW, 5))
                .containsExactly(
                        kv("a", "4", NOW + 20),
                        kv("c", "3", NOW + 20),
                        kv("e", "1", NOW + 30),
                        kv("never1", "6", 0),
                        kv("never2", "5", 0));
        assertThat(store.readNewestKeys(NS, NOW, 1)).extracting(KeyValue::key).containsExactly("never2");
        assertThat(store.readNewestKeys(NS, NOW, 0)).isEmpty();
        assertThat(store.readNewestKeys(NS, NOW - 1, 7))
                .extracting(KeyValue::key)
                .startsWith("gone", "b");
        assertThat(store.readNewestKeys(NS, NOW + 20, 10))
                .extracting(KeyValue::key)
                .containsExactly("e", "never1", "never2");
        assertThat(store.readNewestKeys("third", NOW, 10)).isEmpty();
    }

    @Test
    void theNewestOfANamespaceOfManyPagesSurviveAReopen() {
        long seed = Long.getLong("tether.seed", System.nanoTime());
        System.out.println("KeyValueContract.theNewestOfANamespaceOfManyPagesSurviveAReopen seed " + seed
                + " (-Dtether.seed=" + seed + ")");
        Random random = new Random(seed);
        Store store = opened();
        List<KeyValue> all = new ArrayList<>();
        WriteBatch w = new WriteBatch();
        for (int i = 0; i < 2_500; i++) {
            // Keys in an order unrelated to their expiry; every fifth expiry shared with another entry.
            KeyValue kv = kv(Integer.toHexString(random.nextInt()) + "-" + i, "v" + i, NOW + 1 + i - i % 5 / 4);
            all.add(kv);
            w.put(kv);
        }
        store.commit(w);
        all.sort(KeyValue.EXPIRY_ORDER);

        assertThat(store.readNewestKeys(NS, NOW, 1_200)).as("seed %d", seed).isEqualTo(all.subList(1_300, 2_500));
        Store again = reopened(store); // a crash
        again.open(again.maxDurability());
        assertThat(again.readNewestKeys(NS, NOW + 2_000, 3_000))
                .as("seed %d", seed)
                .isEqualTo(all.subList(2_000, 2_500));
    }

    @Test
    void badNewestArgumentsThrowIllegalArgumentAndAClosedStoreRefuses() {
        Store store = opened();
        assertThatThrownBy(() -> store.readNewestKeys(NS, NOW, -1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> store.readNewestKeys("bad ns", NOW, 1)).isInstanceOf(IllegalArgumentException.class);
        store.close();
        assertThatThrownBy(() -> store.readNewestKeys(NS, NOW, 1)).isInstanceOf(StoreException.class);
        assertThatThrownBy(() -> store.readNewestKeys(NS, NOW, 0)).isInstanceOf(StoreException.class);
    }

    // ---- a seeded comparison against a model

    @Test
    void randomKeyWritesMatchModel() {
        long seed = Long.getLong("tether.seed", System.nanoTime());
        System.out.println("KeyValueContract.randomKeyWritesMatchModel seed " + seed + " (-Dtether.seed=" + seed + ")");
        Random random = new Random(seed);
        Store store = opened();
        TreeMap<String, KeyValue> model = new TreeMap<>();
        long now = NOW;
        for (int i = 0; i < 300; i++) {
            WriteBatch w = new WriteBatch();
            for (int n = random.nextInt(5); n > 0; n--) {
                String key = "k" + random.nextInt(40);
                if (random.nextInt(4) == 0) {
                    w.delete(NS, key);
                    model.remove(key);
                } else {
                    long expiry = random.nextBoolean() ? 0 : now + random.nextInt(50);
                    KeyValue kv = kv(key, "v" + i, expiry);
                    w.put(kv);
                    model.put(key, kv);
                }
            }
            now += random.nextInt(10);
            if (random.nextInt(10) == 0) {
                w.removeExpiredKeys(now);
                final long at = now;
                model.values().removeIf(kv -> kv.expiredAt(at));
            }
            store.commit(w);
            final long at = now;
            List<KeyValue> expected =
                    model.values().stream().filter(kv -> !kv.expiredAt(at)).toList();
            assertThat(store.readKeys(NS, null, now, 1000))
                    .as("seed %d, batch %d", seed, i)
                    .isEqualTo(expected);
            List<KeyValue> byExpiry = new ArrayList<>(expected);
            byExpiry.sort(KeyValue.EXPIRY_ORDER);
            int newest = random.nextInt(45);
            assertThat(store.readNewestKeys(NS, now, newest))
                    .as("seed %d, batch %d, newest %d", seed, i, newest)
                    .isEqualTo(byExpiry.subList(Math.max(0, byExpiry.size() - newest), byExpiry.size()));
        }
    }

    private Store opened() {
        Store store = newStore();
        stores.add(store);
        store.open(store.maxDurability());
        return store;
    }

    private Store reopened(Store previous) {
        Store store = reopen(previous);
        stores.add(store);
        return store;
    }

    private static KeyValue kv(String key, String value, long expiresAt) {
        return new KeyValue(NS, key, bytes(value), expiresAt);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
