package dev.tether.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tether.NodeId;
import dev.tether.Outcome;
import dev.tether.StoreException;
import dev.tether.bus.HistoryDirection;
import dev.tether.bus.HistoryEntry;
import dev.tether.bus.HistoryQuery;
import dev.tether.bus.HistoryStats;
import dev.tether.bus.MessageKind;
import dev.tether.spi.MessageChecksum;
import dev.tether.spi.Store;
import dev.tether.spi.StoredMessage;
import dev.tether.spi.WriteBatch;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The history rules of {@link Store} (rules 26-28 of its Javadoc): one or more tests per rule, plus a seeded
 * randomized comparison against a model. Subclass it in a test source set and implement the two hooks, as for {@link
 * StoreContract}. The randomized test prints its seed; {@code -Dtether.seed=N} replays one.
 */
public abstract class HistoryStoreContract {
    /** For subclasses: one per implementation under test. */
    protected HistoryStoreContract() {}

    private static final NodeId A = NodeId.of("a");
    private static final NodeId B = NodeId.of("b");
    private static final HistoryQuery ALL =
            HistoryQuery.builder().max(HistoryQuery.MAX_PAGE).payloads(true).build();

    private final List<Store> stores = new ArrayList<>();

    /** A new, empty, unopened store. */
    protected abstract Store newStore();

    /** A new, unopened store over the data of {@code previous}, closed or abandoned (a crash). */
    protected abstract Store reopen(Store previous);

    @AfterEach
    final void closeStores() {
        stores.forEach(Store::close);
    }

    // ---- rule 26: entries are part of their batch, numbered ascending, never reused

    @Test
    void entriesAreNumberedAscendingAndReadBackAsWritten() {
        Store store = opened();
        HistoryEntry out = entry(HistoryDirection.OUT, A, 100, 7).withId(99); // the id given is ignored
        HistoryEntry in = new HistoryEntry(
                0,
                101,
                HistoryDirection.IN,
                MessageKind.REQUEST,
                B,
                "alice",
                "bob",
                null,
                "price",
                "_a.bob",
                3,
                Outcome.DEAD_LETTERED,
                5,
                Map.of("k", "v"),
                new byte[] {1, 2},
                true);
        store.commit(new WriteBatch().history(out).history(in));

        List<HistoryEntry> read = store.readHistory(ALL);
        assertThat(read).hasSize(2);
        assertThat(read.get(0).id()).isPositive();
        assertThat(read.get(1).id()).isGreaterThan(read.get(0).id());
        assertSame(read.get(0), out);
        assertSame(read.get(1), in);
    }

    @Test
    void aFailedBatchStoresNoEntry() {
        Store store = opened();
        WriteBatch bad = new WriteBatch().append(message(2)).history(entry(HistoryDirection.OUT, A, 1, 2));
        assertThatThrownBy(() -> store.commit(bad)).isInstanceOf(StoreException.class);
        assertThat(store.readHistory(ALL)).isEmpty();
        assertThat(store.historySummary()).isEqualTo(HistoryStats.EMPTY);
        store.commit(new WriteBatch().append(message(1)).history(entry(HistoryDirection.OUT, A, 1, 1)));
        assertThat(store.readHistory(ALL)).extracting(HistoryEntry::seq).containsExactly(1L);
    }

    @Test
    void idsAreNeverReusedAfterATrimOrAReopen() {
        Store store = opened();
        store.commit(entries(3, 10));
        long last = store.readHistory(ALL).get(2).id();
        store.commit(new WriteBatch().trimHistory(new WriteBatch.HistoryTrim(0, 0)));
        assertThat(store.readHistory(ALL)).isEmpty();
        store.commit(entries(1, 20));
        long afterTrim = store.readHistory(ALL).get(0).id();
        assertThat(afterTrim).isGreaterThan(last);

        store.close();
        Store again = reopened(store);
        again.commit(entries(1, 30));
        List<HistoryEntry> read = again.readHistory(ALL);
        assertThat(read).extracting(HistoryEntry::atMillis).containsExactly(20L, 30L);
        assertThat(read.get(1).id()).isGreaterThan(afterTrim);
    }

    @Test
    void entriesSurviveACrash() {
        Store store = opened();
        store.commit(entries(2, 10));
        Store again = reopened(store); // not closed: abandoned
        assertThat(again.readHistory(ALL)).extracting(HistoryEntry::atMillis).containsExactly(10L, 11L);
        assertThat(again.historySummary().entries()).isEqualTo(2);
    }

    // ---- rule 27: filters, paging, payloads

    @Test
    void eachFilterSelectsItsEntries() {
        Store store = opened();
        WriteBatch w = fourEntries();
        store.commit(w);

        assertThat(times(store, HistoryQuery.builder().peer(B))).containsExactly(20L, 30L, 40L);
        assertThat(times(store, HistoryQuery.builder().agent("x"))).containsExactly(10L, 30L);
        assertThat(times(store, HistoryQuery.builder().channel("news"))).containsExactly(20L);
        assertThat(times(store, HistoryQuery.builder().lane("orders"))).containsExactly(10L);
        assertThat(times(store, HistoryQuery.builder().kind(MessageKind.REQUEST)))
                .containsExactly(30L);
        assertThat(times(store, HistoryQuery.builder().direction(HistoryDirection.OUT)))
                .containsExactly(10L, 40L);
        assertThat(times(store, HistoryQuery.builder().outcome(Outcome.EXPIRED)))
                .containsExactly(30L);
        assertThat(times(store, HistoryQuery.builder().from(20).to(40))).containsExactly(20L, 30L);
        assertThat(times(
                        store,
                        HistoryQuery.builder()
                                .peer(B)
                                .direction(HistoryDirection.IN)
                                .from(25)))
                .containsExactly(30L);
        assertThat(times(store, HistoryQuery.builder().peer(NodeId.of("nobody"))))
                .isEmpty();
    }

    @Test
    void pagesByAfterIdAndMax() {
        Store store = opened();
        store.commit(entries(25, 100));
        List<Long> seen = new ArrayList<>();
        long after = 0;
        int pages = 0;
        while (true) {
            List<HistoryEntry> page = store.readHistory(
                    HistoryQuery.builder().afterId(after).max(10).build());
            if (page.isEmpty()) break;
            assertThat(page.size()).isLessThanOrEqualTo(10);
            page.forEach(e -> seen.add(e.atMillis()));
            after = page.get(page.size() - 1).id();
            pages++;
        }
        assertThat(pages).isEqualTo(3);
        assertThat(seen).hasSize(25).isSorted().doesNotHaveDuplicates();
    }

    @Test
    void payloadsOnlyWhenAskedAndAsWritten() {
        Store store = opened();
        store.commit(new WriteBatch()
                .history(entry(HistoryDirection.OUT, A, 1, 1))
                .history(withPayload(entry(HistoryDirection.OUT, A, 2, 2), new byte[0]))
                .history(withPayload(entry(HistoryDirection.OUT, A, 3, 3), new byte[] {9, 8, 7})));
        List<HistoryEntry> with = store.readHistory(ALL);
        assertThat(with.get(0).payload()).isNull();
        assertThat(with.get(1).payload()).isEmpty();
        assertThat(with.get(2).payload()).containsExactly(9, 8, 7);
        assertThat(store.readHistory(HistoryQuery.builder().build()))
                .extracting(HistoryEntry::payload)
                .containsOnlyNulls();
        assertThat(store.historySummary().payloadBytes()).isEqualTo(3);
    }

    // ---- rule 28: trims and the summary

    @Test
    void aTrimByCountKeepsTheNewest() {
        Store store = opened();
        store.commit(entries(10, 100));
        store.commit(new WriteBatch().trimHistory(new WriteBatch.HistoryTrim(4, 0)));
        assertThat(times(store, HistoryQuery.builder())).containsExactly(106L, 107L, 108L, 109L);
        assertThat(store.historySummary()).isEqualTo(new HistoryStats(4, 106, 0));
    }

    @Test
    void aTrimByAgeRemovesEveryOlderEntry() {
        Store store = opened();
        store.commit(entries(10, 100));
        store.commit(new WriteBatch().trimHistory(new WriteBatch.HistoryTrim(1_000, 105)));
        assertThat(times(store, HistoryQuery.builder())).containsExactly(105L, 106L, 107L, 108L, 109L);
        assertThat(store.historySummary().oldestAtMillis()).isEqualTo(105);
    }

    @Test
    void aTrimAppliesAfterTheBatchsOwnEntries() {
        Store store = opened();
        store.commit(entries(3, 100));
        store.commit(entries(3, 200).trimHistory(new WriteBatch.HistoryTrim(2, 0)));
        assertThat(times(store, HistoryQuery.builder())).containsExactly(201L, 202L);
    }

    @Test
    void theSummaryCountsEntriesOldestAndPayloadBytes() {
        Store store = opened();
        assertThat(store.historySummary()).isEqualTo(HistoryStats.EMPTY);
        store.commit(new WriteBatch()
                .history(withPayload(entry(HistoryDirection.IN, B, 50, 1), new byte[10]))
                .history(withPayload(entry(HistoryDirection.OUT, A, 40, 1), new byte[5])));
        assertThat(store.historySummary()).isEqualTo(new HistoryStats(2, 40, 15));
    }

    // ---- all rules against a model, seeded

    @Test
    void randomBatchesTrimsAndQueriesMatchAModel() {
        long seed = Long.getLong("tether.seed", System.nanoTime());
        System.out.println("HistoryStoreContract seed " + seed + " (replay: -Dtether.seed=" + seed + ")");
        Random random = new Random(seed);
        Store store = opened();
        List<HistoryEntry> model = new ArrayList<>();
        long time = 1;
        for (int step = 0; step < 200; step++) {
            WriteBatch w = new WriteBatch();
            List<HistoryEntry> added = new ArrayList<>();
            for (int i = random.nextInt(6); i > 0; i--) {
                time += random.nextInt(3);
                HistoryEntry e = randomEntry(random, time);
                w.history(e);
                added.add(e);
            }
            WriteBatch.HistoryTrim trim = random.nextInt(8) == 0
                    ? new WriteBatch.HistoryTrim(random.nextInt(40), Math.max(0, time - random.nextInt(60)))
                    : null;
            if (trim != null) w.trimHistory(trim);
            boolean fails = random.nextInt(10) == 0;
            if (fails) w.append(message(5)); // a gap: the batch fails whole
            if (fails) {
                assertThatThrownBy(() -> store.commit(w)).isInstanceOf(StoreException.class);
            } else {
                store.commit(w);
                model.addAll(added);
                if (trim != null) {
                    model.removeIf(e -> e.atMillis() < trim.olderThanMillis());
                    while (model.size() > trim.keepNewest()) model.remove(0);
                }
            }
            HistoryQuery q = randomQuery(random, time);
            List<HistoryEntry> actual = store.readHistory(q);
            List<HistoryEntry> expected = new ArrayList<>();
            List<HistoryEntry> all = store.readHistory(ALL);
            assertThat(all).as("seed %d step %d", seed, step).hasSize(model.size());
            for (int i = 0; i < model.size(); i++) {
                assertSame(all.get(i), model.get(i));
                HistoryEntry stored = all.get(i);
                if (expected.size() < q.max() && stored.id() > q.afterId() && q.matches(stored)) {
                    expected.add(stored);
                }
            }
            assertThat(actual)
                    .as("seed %d step %d query %s", seed, step, q)
                    .extracting(HistoryEntry::id)
                    .containsExactlyElementsOf(
                            expected.stream().map(HistoryEntry::id).toList());
            long bytes = model.stream().mapToLong(HistoryEntry::keptBytes).sum();
            long oldest = model.stream().mapToLong(HistoryEntry::atMillis).min().orElse(0);
            assertThat(store.historySummary())
                    .as("seed %d step %d", seed, step)
                    .isEqualTo(new HistoryStats(model.size(), oldest, bytes));
        }
    }

    /** An OUT direct message at 10, an IN publish at 20, an IN request at 30 and an OUT response at 40. */
    private static WriteBatch fourEntries() {
        HistoryDirection in = HistoryDirection.IN;
        HistoryDirection out = HistoryDirection.OUT;
        return new WriteBatch()
                .history(meta(10, out, MessageKind.DIRECT, A, null, "x", null, "orders", null))
                .history(meta(20, in, MessageKind.PUBLISH, B, null, null, "news", "_c.news", Outcome.PROCESSED))
                .history(meta(30, in, MessageKind.REQUEST, B, "x", null, null, "_a.y", Outcome.EXPIRED))
                .history(meta(40, out, MessageKind.RESPONSE, B, null, null, null, "_reply", null));
    }

    private static HistoryEntry meta(
            long at,
            HistoryDirection d,
            MessageKind k,
            NodeId peer,
            String from,
            String to,
            String channel,
            String lane,
            Outcome o) {
        return new HistoryEntry(0, at, d, k, peer, from, to, channel, null, lane, 1, o, 1, Map.of(), null, false);
    }

    private static HistoryEntry randomEntry(Random r, long time) {
        HistoryDirection dir = r.nextBoolean() ? HistoryDirection.IN : HistoryDirection.OUT;
        MessageKind kind = MessageKind.values()[r.nextInt(MessageKind.values().length)];
        Outcome outcome = dir == HistoryDirection.IN ? (r.nextBoolean() ? Outcome.PROCESSED : Outcome.EXPIRED) : null;
        byte[] payload = r.nextInt(3) == 0 ? new byte[r.nextInt(4)] : null;
        return new HistoryEntry(
                0,
                time,
                dir,
                kind,
                r.nextBoolean() ? A : B,
                pick(r, "x", "y"),
                pick(r, "x", "z"),
                pick(r, "news", null),
                pick(r, "h", null),
                pick(r, "l1", "l2"),
                r.nextInt(100),
                outcome,
                r.nextInt(50),
                Map.of(),
                payload,
                payload != null && r.nextBoolean());
    }

    private static HistoryQuery randomQuery(Random r, long time) {
        HistoryQuery.Builder b = HistoryQuery.builder().max(1 + r.nextInt(20)).payloads(r.nextBoolean());
        if (r.nextInt(3) == 0) b.peer(r.nextBoolean() ? A : B);
        if (r.nextInt(4) == 0) b.agent(pick(r, "x", "z"));
        if (r.nextInt(5) == 0) b.channel("news");
        if (r.nextInt(4) == 0) b.lane(pick(r, "l1", "l2"));
        if (r.nextInt(4) == 0) b.kind(MessageKind.values()[r.nextInt(MessageKind.values().length)]);
        if (r.nextInt(4) == 0) b.direction(r.nextBoolean() ? HistoryDirection.IN : HistoryDirection.OUT);
        if (r.nextInt(5) == 0) b.outcome(Outcome.EXPIRED);
        if (r.nextInt(3) == 0) {
            long from = r.nextInt((int) Math.min(Integer.MAX_VALUE, time + 1));
            b.from(from).to(from + r.nextInt(100));
        }
        if (r.nextInt(3) == 0) b.afterId(r.nextInt(500));
        return b.build();
    }

    private static String pick(Random r, String a, String b) {
        return r.nextBoolean() ? a : b;
    }

    /** Every field of {@code actual} but the id as in {@code written}. */
    private static void assertSame(HistoryEntry actual, HistoryEntry written) {
        assertThat(actual.withId(0)).usingRecursiveComparison().isEqualTo(written.withId(0));
    }

    private static List<Long> times(Store store, HistoryQuery.Builder q) {
        return store.readHistory(q.max(HistoryQuery.MAX_PAGE).build()).stream()
                .map(HistoryEntry::atMillis)
                .toList();
    }

    private static WriteBatch entries(int n, long firstAt) {
        WriteBatch w = new WriteBatch();
        for (int i = 0; i < n; i++) w.history(entry(HistoryDirection.OUT, A, firstAt + i, i + 1));
        return w;
    }

    private static HistoryEntry entry(HistoryDirection dir, NodeId peer, long at, long seq) {
        return new HistoryEntry(
                0,
                at,
                dir,
                MessageKind.DIRECT,
                peer,
                null,
                null,
                null,
                null,
                "orders",
                seq,
                dir == HistoryDirection.IN ? Outcome.PROCESSED : null,
                3,
                Map.of("h", "1"),
                null,
                false);
    }

    private static HistoryEntry withPayload(HistoryEntry e, byte[] payload) {
        return new HistoryEntry(
                e.id(),
                e.atMillis(),
                e.direction(),
                e.kind(),
                e.peer(),
                e.fromAgent(),
                e.toAgent(),
                e.channel(),
                e.handler(),
                e.lane(),
                e.seq(),
                e.outcome(),
                payload.length,
                e.headers(),
                payload,
                false);
    }

    private static StoredMessage message(long seq) {
        byte[] payload = {1};
        return new StoredMessage(
                B, "orders", seq, 0, Map.of(), payload, MessageChecksum.of("orders", seq, 0, Map.of(), payload));
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
        store.open(store.maxDurability());
        return store;
    }
}
