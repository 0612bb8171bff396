package dev.tether.store.sqlite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tether.Durability;
import dev.tether.NodeId;
import dev.tether.SendReceipt;
import dev.tether.StoreException;
import dev.tether.TetherEvent;
import dev.tether.TetherNode;
import dev.tether.bus.HistoryDirection;
import dev.tether.bus.HistoryOptions;
import dev.tether.bus.HistoryQuery;
import dev.tether.node.Tether;
import dev.tether.node.TetherConfig;
import dev.tether.testkit.Await;
import dev.tether.transport.memory.InMemoryNetwork;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real nodes whose sender store has a small size limit: sends fail with "store full" and nothing unstored is
 * ever delivered or acknowledged; the node keeps running, and once the backlog is delivered and trimmed (or the
 * limit is raised) sending works again, everything stored arriving in order.
 */
class SqliteFullNodeTest {
    private static final NodeId A = NodeId.of("a");
    private static final NodeId B = NodeId.of("b");
    private static final NodeId C = NodeId.of("c");
    private static final long LIMIT = 1024 * 1024;
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    private final InMemoryNetwork network = new InMemoryNetwork();
    private final List<Long> seen = new CopyOnWriteArrayList<>();
    private final List<TetherEvent> events = new CopyOnWriteArrayList<>();
    private final List<TetherNode> nodes = new ArrayList<>();

    @AfterEach
    void shutdown() {
        for (TetherNode n : nodes) n.shutdown(Duration.ofSeconds(5));
    }

    private TetherNode sender(long limit) {
        return start(TetherConfig.builder(A)
                .store(SqliteStore.builder(dir.resolve("a.db"))
                        .maxSizeBytes(limit)
                        .build())
                .peers(B)
                .handler(d -> {})
                .listener(events::add));
    }

    private TetherNode receiver() {
        return start(TetherConfig.builder(B)
                .store(new SqliteStore(dir.resolve("b.db")))
                .peers(A)
                .handler(d -> seen.add(d.payload().getLong(0))));
    }

    private TetherNode start(TetherConfig.Builder b) {
        TetherNode n = Tether.start(
                b.transport(network.newTransport()).durability(Durability.FSYNC).build());
        nodes.add(n);
        return n;
    }

    private static byte[] payload(long id) {
        return ByteBuffer.allocate(1000).putLong(0, id).array();
    }

    /** Whether {@code r} was stored; a failure must be "store full" and must fail processed() too. */
    private static boolean stored(SendReceipt r) throws Exception {
        try {
            r.accepted().get(60, TimeUnit.SECONDS);
            return true;
        } catch (ExecutionException e) {
            assertStoreFull(e.getCause());
            assertThatThrownBy(() -> r.processed().get(60, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .hasCauseInstanceOf(StoreException.class);
            return false;
        }
    }

    private static void assertStoreFull(Throwable error) {
        assertThat(error).isInstanceOf(StoreException.class).hasMessageContaining("store full");
        assertThat(error).hasRootCauseInstanceOf(java.sql.SQLException.class);
        Throwable t = error;
        while (t != null && !(t instanceof StoreFullException)) t = t.getCause();
        assertThat(t).as("a StoreFullException in the cause chain of " + error).isNotNull();
    }

    /** Sends one message at a time until the store is full; returns the ids stored, in order. */
    private static List<Long> fill(TetherNode a, long firstId) throws Exception {
        List<Long> stored = new ArrayList<>();
        for (long id = firstId; ; id++) {
            if (!stored(a.send(B, payload(id)))) return stored;
            stored.add(id);
            if (stored.size() > 10_000) throw new AssertionError("never full");
        }
    }

    @Test
    void aFullSenderStoreRefusesSendsKeepsRunningAndRecoversOnceTheBacklogIsTrimmed() throws Exception {
        TetherNode a = sender(LIMIT);
        List<Long> stored = fill(a, 0);
        assertThat(stored).hasSizeGreaterThan(10);
        // Still full, still running: further sends fail the same way, and nothing extra is queued.
        for (long id = 100_000; id < 100_005; id++)
            assertThat(stored(a.send(B, payload(id)))).isFalse();
        assertThat(a.stats().queued()).isEqualTo(stored.size());
        assertThat(events)
                .anySatisfy(e -> assertThat(e)
                        .isInstanceOfSatisfying(
                                TetherEvent.StoreFailure.class,
                                f -> assertThat(f.reason()).contains("store full")));

        // The receiver comes: exactly what was stored arrives, in order, and the sender's outbox is trimmed.
        receiver();
        Await.until(WAIT, () -> seen.size() >= stored.size(), () -> "backlog delivered: " + seen.size());
        Await.until(WAIT, () -> a.stats().queued() == 0 && a.stats().inFlight() == 0, () -> "trimmed " + a.stats());
        assertThat(seen).containsExactlyElementsOf(stored);

        // The freed pages take new messages: as many as fitted before, delivered after the first ones.
        List<Long> again = new ArrayList<>();
        for (long id = 1_000_000; id < 1_000_000 + stored.size(); id++) {
            assertThat(stored(a.send(B, payload(id))))
                    .as("send %d after recovery", id)
                    .isTrue();
            again.add(id);
        }
        List<Long> all = new ArrayList<>(stored);
        all.addAll(again);
        Await.until(WAIT, () -> seen.size() >= all.size(), () -> "second round: " + seen.size());
        assertThat(seen).containsExactlyElementsOf(all);
    }

    @Test
    void aFullStoreRecoversWhileTheApplicationKeepsSending() throws Exception {
        TetherNode a = sender(LIMIT);
        List<Long> stored = fill(a, 0);
        receiver();
        // Keep sending while the backlog drains: the trims must get through although sends keep failing.
        List<Long> later = new ArrayList<>();
        long id = 1_000_000;
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (later.size() < 20) {
            assertThat(System.nanoTime()).as("sends never succeed again").isLessThan(deadline);
            if (stored(a.send(B, payload(id)))) later.add(id);
            id++;
        }
        List<Long> all = new ArrayList<>(stored);
        all.addAll(later);
        Await.until(WAIT, () -> seen.size() >= all.size(), () -> "delivered: " + seen.size());
        assertThat(seen).containsExactlyElementsOf(all);
    }

    @Test
    void aLargerLimitAfterRestartMakesRoom() throws Exception {
        TetherNode a = sender(LIMIT);
        List<Long> stored = new ArrayList<>(fill(a, 0));
        nodes.remove(a);
        assertThat(a.shutdown(Duration.ofSeconds(5)).pendingTotal()).isEqualTo(stored.size());

        TetherNode bigger = sender(4 * LIMIT);
        int before = stored.size();
        for (long id = 500_000; id < 500_000 + before; id++) {
            assertThat(stored(bigger.send(B, payload(id)))).isTrue();
            stored.add(id);
        }
        receiver();
        Await.until(WAIT, () -> seen.size() >= stored.size(), () -> "delivered: " + seen.size());
        assertThat(seen).containsExactlyElementsOf(stored);
        CompletableFuture<?> last = bigger.send(B, payload(9)).processed();
        last.get(60, TimeUnit.SECONDS);
    }

    /**
     * With history on (docs/OPERATIONS.md, "History"), a node whose store is full of its own sends still settles what
     * it receives: its cursors commit with their IN entries, written under the hard limit, while its sends (with
     * their OUT entries) are refused; once its backlog is delivered and trimmed it sends again.
     */
    @Test
    void withHistoryOnAFullStoreStillCommitsCursorsWithTheirEntriesAndRecovers() throws Exception {
        TetherNode a = start(TetherConfig.builder(A)
                .store(SqliteStore.builder(dir.resolve("a.db"))
                        .maxSizeBytes(LIMIT)
                        .build())
                .peers(B, C)
                .history(HistoryOptions.keep(1_000, Duration.ofDays(1)).payloads(1000))
                .handler(d -> seen.add(d.payload().getLong(0))));
        List<Long> stored = fill(a, 0);
        assertThat(stored).hasSizeGreaterThan(10);
        assertThat(stored(a.send(B, payload(100_000)))).isFalse();

        // C sends to the full node: each message is settled, its cursor committed with its entry.
        TetherNode c = start(TetherConfig.builder(C)
                .store(new SqliteStore(dir.resolve("c.db")))
                .peers(A)
                .handler(d -> {}));
        for (long id = 200_000; id < 200_020; id++) {
            c.send(A, payload(id)).processed().get(60, TimeUnit.SECONDS);
        }
        assertThat(seen).hasSize(20);
        HistoryQuery in = HistoryQuery.builder()
                .peer(C)
                .direction(HistoryDirection.IN)
                .max(100)
                .build();
        assertThat(Tether.management(a).history(in)).hasSize(20);
        assertThat(stored(a.send(B, payload(100_001)))).isFalse();

        // B comes: the backlog arrives in order and is trimmed, and sends are stored again.
        receiver();
        Await.until(WAIT, () -> seen.size() >= 20 + stored.size(), () -> "backlog delivered: " + seen.size());
        Await.until(WAIT, () -> a.stats().queued() == 0 && a.stats().inFlight() == 0, () -> "trimmed " + a.stats());
        assertThat(seen.subList(20, seen.size())).containsExactlyElementsOf(stored);
        for (long id = 1_000_000; id < 1_000_000 + stored.size() / 4; id++) {
            assertThat(stored(a.send(B, payload(id))))
                    .as("send %d after recovery", id)
                    .isTrue();
        }
    }
}
