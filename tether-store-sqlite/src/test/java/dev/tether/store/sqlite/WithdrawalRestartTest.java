package dev.tether.store.sqlite;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.Durability;
import dev.tether.NodeId;
import dev.tether.Reply;
import dev.tether.StreamStats;
import dev.tether.TetherNode;
import dev.tether.node.Tether;
import dev.tether.node.TetherConfig;
import dev.tether.spi.KeyValue;
import dev.tether.spi.Store;
import dev.tether.store.memory.InMemoryStore;
import dev.tether.testkit.Await;
import dev.tether.transport.memory.InMemoryNetwork;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A cancelled call's withdrawal survives a restart of the calling node, over the in-memory store and real SQLite files
 * (docs/PROTOCOL.md, "Withdrawal"): the mark is stored with the calling node's outbox, the restarted node still sends
 * the call as a CANCELLED marker, the called node never runs it, and the mark is gone once the stream is trimmed.
 */
class WithdrawalRestartTest {
    private static final NodeId A = NodeId.of("a");
    private static final NodeId B = NodeId.of("b");
    private static final Duration WAIT = Duration.ofSeconds(60);
    /** The key-value namespace of the marks (the engine's {@code MARKS}, not exported here). */
    private static final String MARKS = "_wd";

    @TempDir
    Path dir;

    private final InMemoryNetwork network = new InMemoryNetwork();
    private final List<String> executed = new CopyOnWriteArrayList<>();
    private final List<TetherNode> nodes = new ArrayList<>();

    @AfterEach
    void shutdown() {
        for (TetherNode n : nodes) n.shutdown(Duration.ofSeconds(5));
    }

    @Test
    void aWithdrawalSurvivesARestartWithTheInMemoryStore() throws Exception {
        InMemoryStore[] last = {null};
        survivesARestart(() -> last[0] = last[0] == null ? new InMemoryStore() : last[0].reopenAfterCrash());
    }

    @Test
    void aWithdrawalSurvivesARestartWithTheSqliteStore() throws Exception {
        survivesARestart(() -> new SqliteStore(dir.resolve("a.db")));
    }

    /** {@code stores} gives a's store each time a's process starts: the same stored state, opened again. */
    private void survivesARestart(Supplier<Store> stores) throws Exception {
        TetherNode a = start(TetherConfig.builder(A).peers(B), stores.get());
        // b is not running: the calls are stored, not transmitted.
        CompletableFuture<Reply> first = call(a, "first");
        CompletableFuture<Reply> second = call(a, "second");
        Await.until(WAIT, () -> a.stats().calls().pendingCalls() == 2, () -> "two calls pending");
        assertThat(first.cancel(true)).isTrue();
        Await.until(WAIT, () -> a.stats().calls().pendingCalls() == 1, () -> "the cancel taken");
        stop(a); // after the store is idle: the mark is written
        assertThat(marks(stores)).containsExactly("b/work#1");

        TetherNode again = start(TetherConfig.builder(A).peers(B), stores.get());
        TetherNode b = start(TetherConfig.builder(B).peers(A), new SqliteStore(dir.resolve("b.db")));
        b.handle("work", call -> {
            executed.add(new String(call.payloadBytes(), StandardCharsets.UTF_8));
            return call.payloadBytes();
        });
        Await.until(WAIT, () -> outbound(again).cursor() == 2, () -> "a's calls acknowledged: " + outbound(again));
        assertThat(executed).containsExactly("second");
        stop(again); // after the store is idle: the trim is written, and the mark's delete with it
        assertThat(marks(stores)).isEmpty();
        assertThat(second).isCompletedExceptionally(); // its process stopped: the restarted one matches no reply to it
    }

    private static CompletableFuture<Reply> call(TetherNode a, String payload) {
        return a.call(B, "work")
                .waitForHandler()
                .timeout(Duration.ofMinutes(10))
                .request(payload.getBytes(StandardCharsets.UTF_8));
    }

    /** The withdrawal marks a's store holds, read from a copy opened after a's process stopped. */
    private static List<String> marks(Supplier<Store> stores) {
        Store s = stores.get();
        try {
            s.open(Durability.MEMORY);
            return s.readKeys(MARKS, null, System.currentTimeMillis(), 100).stream()
                    .map(KeyValue::key)
                    .toList();
        } finally {
            s.close();
        }
    }

    private static StreamStats outbound(TetherNode a) {
        return a.stats().streams().stream()
                .filter(s -> s.direction() == StreamStats.Direction.OUTBOUND
                        && s.lane().equals("work"))
                .findFirst()
                .orElseThrow();
    }

    private TetherNode start(TetherConfig.Builder b, Store store) {
        Durability d = store instanceof InMemoryStore ? Durability.MEMORY : Durability.FSYNC;
        TetherNode n = Tether.start(
                b.store(store).transport(network.newTransport()).durability(d).build());
        nodes.add(n);
        return n;
    }

    private void stop(TetherNode n) {
        n.shutdown(Duration.ofSeconds(5));
        nodes.remove(n);
    }
}
