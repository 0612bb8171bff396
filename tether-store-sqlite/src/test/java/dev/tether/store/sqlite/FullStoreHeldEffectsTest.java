package dev.tether.store.sqlite;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.Durability;
import dev.tether.NodeId;
import dev.tether.OutboundMessage;
import dev.tether.Outcome;
import dev.tether.Reply;
import dev.tether.SendReceipt;
import dev.tether.TetherNode;
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
 * A store at its size limit takes cursors and trims but not new rows: a settlement whose effect needs one (a call's
 * reply and an idempotency key here) waits, and the node's other streams are still acknowledged meanwhile (audit 6b, finding 2: the effect
 * failed every batch, retried with every cursor of the node, so no inbound stream was acknowledged any more). Once the
 * store has room again (its backlog to c is delivered and trimmed), the reply goes too.
 */
class FullStoreHeldEffectsTest {
    private static final NodeId A = NodeId.of("a");
    private static final NodeId B = NodeId.of("b");
    private static final NodeId C = NodeId.of("c");

    @TempDir
    Path dir;

    private final InMemoryNetwork network = new InMemoryNetwork();
    private final List<TetherNode> nodes = new ArrayList<>();
    private final List<String> seen = new CopyOnWriteArrayList<>();

    @AfterEach
    void shutdown() {
        for (TetherNode n : nodes) n.shutdown(Duration.ofSeconds(2));
    }

    private TetherNode start(TetherConfig.Builder b) {
        TetherNode n = Tether.start(
                b.transport(network.newTransport()).durability(Durability.FSYNC).build());
        nodes.add(n);
        return n;
    }

    private static Outcome processed(SendReceipt r) throws Exception {
        return r.processed().get(20, TimeUnit.SECONDS);
    }

    /** Node a, its store filled to its limit with messages to c, which has not started. */
    private TetherNode fullNodeA() throws Exception {
        TetherNode a = start(TetherConfig.builder(A)
                .store(SqliteStore.builder(dir.resolve("a.db"))
                        .maxSizeBytes(1024 * 1024)
                        .build())
                .peers(B, C)
                .handler(d -> seen.add(new String(d.payloadBytes()))));
        a.handle("big", call -> {
            seen.add("call");
            return new byte[3000]; // its reply is appended to a's outbox with the call's cursor: a new row
        });
        for (int i = 0; ; i++) {
            try {
                a.send(C, ByteBuffer.allocate(1000).putInt(0, i).array())
                        .accepted()
                        .get(10, TimeUnit.SECONDS);
            } catch (ExecutionException full) {
                return a;
            }
            if (i > 10_000) throw new AssertionError("never full");
        }
    }

    @Test
    void aReplyThatDoesNotFitWaitsWhileTheOtherStreamsAreAcknowledged() throws Exception {
        fullNodeA();
        TetherNode b = start(TetherConfig.builder(B)
                .store(new SqliteStore(dir.resolve("b.db")))
                .peers(A));
        assertThat(processed(b.send(
                        OutboundMessage.to(A).lane("p").payload("p1".getBytes()).build())))
                .isEqualTo(Outcome.PROCESSED);
        CompletableFuture<Reply> reply =
                b.call(A, "big").timeout(Duration.ofSeconds(60)).request(new byte[1]);
        Await.until(Duration.ofSeconds(20), () -> seen.contains("call"), () -> "call handled");

        SendReceipt keyed = b.send(OutboundMessage.to(A)
                .lane("k")
                .idempotencyKey("key-1")
                .payload("k1".getBytes())
                .build());
        SendReceipt plain =
                b.send(OutboundMessage.to(A).lane("p").payload("p2".getBytes()).build());
        assertThat(processed(plain)).as("a plain message on another lane").isEqualTo(Outcome.PROCESSED);
        assertThat(reply).as("the reply, which needs a row of a full store").isNotDone();

        start(TetherConfig.builder(C).handler(d -> {})); // c takes a's backlog: trimmed, the store has room again
        assertThat(reply.get(60, TimeUnit.SECONDS).payloadBytes()).hasSize(3000);
        assertThat(processed(keyed)).isEqualTo(Outcome.PROCESSED);
        assertThat(seen).containsExactlyInAnyOrder("p1", "call", "k1", "p2");
    }
}
