package dev.tether.store.sqlite;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.Durability;
import dev.tether.NodeId;
import dev.tether.Outcome;
import dev.tether.OverflowPolicy;
import dev.tether.SendReceipt;
import dev.tether.StreamLimits;
import dev.tether.StreamStats;
import dev.tether.TetherNode;
import dev.tether.node.Tether;
import dev.tether.node.TetherConfig;
import dev.tether.spi.Store;
import dev.tether.testkit.Await;
import dev.tether.testkit.NodeCrash;
import dev.tether.transport.memory.InMemoryNetwork;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Overflow policy DROP_OLDEST over real SQLite files (FSYNC) and a restart: the dropped message's row goes with the
 * range trim, so a restarted sender never delivers it; the messages stored before the restart may have been
 * transmitted by the earlier process and are never dropped after it (docs/MESSAGING.md, "Backpressure").
 */
class SqliteDropOldestTest {
    private static final NodeId A = NodeId.of("a");
    private static final NodeId B = NodeId.of("b");
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final StreamLimits LIMITS = StreamLimits.maxMessages(5).policy(OverflowPolicy.DROP_OLDEST);

    @TempDir
    Path dir;

    private final InMemoryNetwork network = new InMemoryNetwork();
    private final List<String> seen = new CopyOnWriteArrayList<>();
    private final List<TetherNode> nodes = new ArrayList<>();

    @AfterEach
    void shutdown() {
        for (TetherNode n : nodes) n.shutdown(Duration.ofSeconds(5));
    }

    private TetherNode sender() {
        return sender(new SqliteStore(dir.resolve("a.db")));
    }

    private TetherNode sender(Store store) {
        return start(TetherConfig.builder(A)
                .store(store)
                .peers(B)
                .streamLimits("b", "t", LIMITS)
                .handler(d -> {}));
    }

    private TetherNode receiver() {
        return start(receiverConfig().handler(d -> seen.add(new String(d.payloadBytes(), StandardCharsets.UTF_8))));
    }

    /** b without a handler: what it receives stays buffered, unacknowledged. */
    private TetherNode pullingReceiver() {
        return start(receiverConfig());
    }

    private TetherConfig.Builder receiverConfig() {
        return TetherConfig.builder(B)
                .store(new SqliteStore(dir.resolve("b.db")))
                .peers(A);
    }

    private void stop(TetherNode n) {
        n.shutdown(Duration.ofSeconds(5));
        nodes.remove(n);
    }

    private TetherNode start(TetherConfig.Builder b) {
        TetherNode n = Tether.start(
                b.transport(network.newTransport()).durability(Durability.FSYNC).build());
        nodes.add(n);
        return n;
    }

    private static SendReceipt send(TetherNode a, String payload) {
        return a.send(B, "t", payload.getBytes(StandardCharsets.UTF_8));
    }

    private static StreamStats outbound(TetherNode a) {
        return a.stats().streams().stream()
                .filter(s -> s.direction() == StreamStats.Direction.OUTBOUND
                        && s.lane().equals("t"))
                .findFirst()
                .orElseThrow();
    }

    @Test
    void theDroppedRowIsNeverDeliveredAfterARestartAndStoredMessagesAreNotDroppedAfterIt() throws Exception {
        TetherNode a = sender();
        List<SendReceipt> sent = new ArrayList<>();
        for (int i = 1; i <= 5; i++) sent.add(send(a, "m" + i));
        for (SendReceipt r : sent) r.accepted().get(30, TimeUnit.SECONDS);
        SendReceipt sixth = send(a, "m6"); // drops m1, the oldest never transmitted
        assertThat(sent.get(0).processed().get(30, TimeUnit.SECONDS)).isEqualTo(Outcome.DROPPED);
        assertThat(sixth.accepted().get(30, TimeUnit.SECONDS).seq()).isEqualTo(6);
        // m1's trim went in the batch that stored m6: accepted above means it is durable too
        stop(a);

        TetherNode again = sender(); // m2..m6 stored: may have been transmitted by the earlier process
        SendReceipt refused = send(again, "m7");
        assertThat(refused.accepted())
                .failsWithin(30, TimeUnit.SECONDS)
                .withThrowableThat()
                .withMessageContaining("none could be dropped");
        assertThat(outbound(again).rejected()).isEqualTo(1);

        receiver();
        Await.until(WAIT, () -> seen.size() >= 5, () -> "b received " + seen);
        Await.until(WAIT, () -> outbound(again).cursor() == 6, () -> "a's stream acknowledged: " + outbound(again));
        assertThat(seen).containsExactly("m2", "m3", "m4", "m5", "m6");
    }

    @Test
    void aMessageDroppedBehindATransmittedOneKeepsItsRowButIsNeverDeliveredAfterARestart() throws Exception {
        TetherNode a = sender();
        TetherNode b = pullingReceiver();
        SendReceipt first = send(a, "m1");
        Await.until(WAIT, () -> outbound(a).inFlight() == 1, () -> "m1 transmitted: " + outbound(a));
        stop(b);
        List<SendReceipt> sent = new ArrayList<>();
        for (int i = 2; i <= 5; i++) sent.add(send(a, "m" + i));
        for (SendReceipt r : sent) r.accepted().get(30, TimeUnit.SECONDS);
        SendReceipt sixth = send(a, "m6"); // drops m2: its row stays, m1 before it is not settled
        assertThat(sent.get(0).processed().get(30, TimeUnit.SECONDS)).isEqualTo(Outcome.DROPPED);
        assertThat(sixth.accepted().get(30, TimeUnit.SECONDS).seq()).isEqualTo(6); // with the record of m2's drop
        assertThat(first.processed()).isNotDone();
        stop(a);

        TetherNode again = sender();
        receiver();
        Await.until(WAIT, () -> outbound(again).cursor() == 6, () -> "a's stream acknowledged: " + outbound(again));
        assertThat(seen).containsExactly("m1", "m3", "m4", "m5", "m6");
    }

    /**
     * The drop is stored before it takes effect (docs/PROTOCOL.md, sender step 10): a crashes while the batch holding
     * m1's drop (the trim, with m6) is being committed. m1's {@code processed()} was never DROPPED, and the restarted
     * a delivers m1, in its place. Before the fix m1 was reported DROPPED at once, and then delivered after the crash.
     */
    @Test
    void aCrashBeforeTheDropIsStoredLosesTheDropWholeAndItWasNeverReported() throws Exception {
        HeldStore held = new HeldStore(new SqliteStore(dir.resolve("a.db")));
        TetherNode a = sender(held);
        List<SendReceipt> sent = new ArrayList<>();
        for (int i = 1; i <= 5; i++) sent.add(send(a, "m" + i));
        // Asked for now, so the node thread completes it as it learns the outcome (a later ask posts a watch).
        CompletableFuture<Outcome> firstProcessed = sent.get(0).processed();
        for (SendReceipt r : sent) r.accepted().get(30, TimeUnit.SECONDS);
        held.holdNext();
        SendReceipt sixth = send(a, "m6"); // drops m1; its trim goes with m6, in the commit held
        assertThat(held.awaitHolding(WAIT)).as("the commit with the drop held").isTrue();
        assertThat(held.held().trims()).as("the held batch trims m1").isNotEmpty();
        assertThat(sent.get(0).processed())
                .as("DROPPED before the drop is stored")
                .isNotDone();

        NodeCrash.crash(a);
        assertThat(sixth.accepted()).isCompletedExceptionally();
        assertThat(firstProcessed)
                .as("m1's outcome, which the crashed process never knew")
                .isCompletedExceptionally();

        TetherNode again = sender(); // the same file: m1..m5 stored, nothing dropped
        receiver();
        Await.until(WAIT, () -> outbound(again).cursor() == 5, () -> "a's stream acknowledged: " + outbound(again));
        assertThat(seen).containsExactly("m1", "m2", "m3", "m4", "m5");
    }
}
