package dev.tether.store.sqlite;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.Durability;
import dev.tether.NodeId;
import dev.tether.OutboundMessage;
import dev.tether.Outcome;
import dev.tether.TetherNode;
import dev.tether.fixtures.ForwardingStore;
import dev.tether.node.Tether;
import dev.tether.node.TetherConfig;
import dev.tether.testkit.NodeCrash;
import dev.tether.transport.memory.InMemoryNetwork;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Idempotency keys on a receiver with a SQLite file, crashed in process ({@link NodeCrash}: nothing more committed)
 * after or during the commit that holds a keyed message's cursor and its key: after the commit a retry is never
 * processed; during it both are lost, so the original runs again (flagged) and the retry still is not processed.
 */
class SqliteIdempotencyTest {
    private static final NodeId A = NodeId.of("a");
    private static final NodeId B = NodeId.of("b");

    @TempDir
    Path dir;

    private final InMemoryNetwork network = new InMemoryNetwork();
    private final List<TetherNode> nodes = new CopyOnWriteArrayList<>();
    /** What b's handler saw: payload, and "(redelivery)" if flagged. */
    private final List<String> handled = new CopyOnWriteArrayList<>();

    @AfterEach
    void close() {
        nodes.forEach(TetherNode::close);
    }

    private TetherNode start(NodeId self, NodeId peer, ForwardingStore store) {
        TetherNode n = Tether.start(TetherConfig.builder(self)
                .peers(peer)
                .transport(network.newTransport())
                .store(store)
                .durability(Durability.FSYNC)
                .handler(d -> handled.add(new String(d.payloadBytes(), StandardCharsets.UTF_8)
                        + (d.isRedelivery() ? " (redelivery)" : "")))
                .build());
        nodes.add(n);
        return n;
    }

    private HeldStore store(String name) {
        return new HeldStore(new SqliteStore(dir.resolve(name + ".db")));
    }

    private static OutboundMessage keyed(String payload) {
        return OutboundMessage.to(B)
                .idempotencyKey("pay-1")
                .payload(payload.getBytes(StandardCharsets.UTF_8))
                .build();
    }

    @Test
    void aKeyCommittedBeforeACrashMakesTheRetryADuplicate() throws Exception {
        TetherNode a = start(A, B, store("a"));
        TetherNode b = start(B, A, store("b"));
        assertThat(a.send(keyed("original")).processed().get(30, TimeUnit.SECONDS))
                .isEqualTo(Outcome.PROCESSED);

        NodeCrash.crash(b);
        nodes.remove(b);
        start(B, A, store("b"));

        assertThat(a.send(keyed("retry")).processed().get(30, TimeUnit.SECONDS)).isEqualTo(Outcome.PROCESSED);
        assertThat(handled).containsExactly("original");
    }

    @Test
    void aCrashDuringTheCommitOfCursorAndKeyLosesBoth() throws Exception {
        HeldStore bStore = store("b");
        TetherNode a = start(A, B, store("a"));
        bStore.holdNext(batch -> !batch.keyWrites().isEmpty()); // the commit with a key write waits for the crash
        TetherNode b = start(B, A, bStore);
        a.send(keyed("original"));
        assertThat(bStore.awaitHolding(Duration.ofSeconds(30))).isTrue();

        NodeCrash.crash(b);
        nodes.remove(b);
        start(B, A, store("b"));

        assertThat(a.send(keyed("retry")).processed().get(30, TimeUnit.SECONDS)).isEqualTo(Outcome.PROCESSED);
        assertThat(handled).containsExactly("original", "original (redelivery)");
    }
}
