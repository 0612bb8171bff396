package dev.tether.store.sqlite;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.Durability;
import dev.tether.NodeId;
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
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real nodes on SQLite files at the default durability (FSYNC): restart from the file, backlog from disk. */
class SqliteNodeTest {
    private static final NodeId A = NodeId.of("a");
    private static final NodeId B = NodeId.of("b");

    @TempDir
    Path dir;

    private final InMemoryNetwork network = new InMemoryNetwork();
    private final List<Long> seen = new CopyOnWriteArrayList<>();

    private TetherNode node(NodeId id, NodeId peer, boolean receiver) {
        TetherConfig.Builder b = TetherConfig.builder(id)
                .peers(peer)
                .transport(network.newTransport())
                .store(new SqliteStore(dir.resolve("tether-" + id + ".db")))
                .durability(Durability.FSYNC)
                .window(64);
        if (receiver) b.handler(d -> seen.add(d.payload().getLong(0)));
        else b.handler(d -> {});
        return Tether.start(b.build());
    }

    @Test
    void backlogSurvivesASenderRestartFromItsFileAndArrivesInOrder() throws Exception {
        TetherNode a = node(A, B, false);
        List<SendReceipt> receipts = new ArrayList<>();
        for (long i = 0; i < 2000; i++)
            receipts.add(a.send(B, ByteBuffer.allocate(100).putLong(0, i).array()));
        for (SendReceipt r : receipts) r.accepted().get(30, TimeUnit.SECONDS);
        assertThat(a.shutdown(Duration.ZERO).pendingTotal()).isEqualTo(2000);

        a = node(A, B, false); // a new process would see exactly this: only the file
        assertThat(a.stats().queued()).isEqualTo(2000);
        TetherNode b = node(B, A, true);
        Await.until(Duration.ofSeconds(60), () -> seen.size() >= 2000, () -> "backlog from disk: " + seen.size());
        List<Long> expected = new ArrayList<>();
        for (long i = 0; i < 2000; i++) expected.add(i);
        assertThat(seen).containsExactlyElementsOf(expected);
        TetherNode a2 = a;
        Await.until(
                Duration.ofSeconds(30),
                () -> a2.stats().inFlight() == 0 && a2.stats().queued() == 0,
                () -> "acked");
        a.shutdown(Duration.ofSeconds(5));
        b.shutdown(Duration.ofSeconds(5));

        // The receiver's cursor is on disk too: a restarted receiver does not see anything again.
        seen.clear();
        a = node(A, B, false);
        b = node(B, A, true);
        a.send(B, ByteBuffer.allocate(100).putLong(0, 2000).array()).processed().get(30, TimeUnit.SECONDS);
        assertThat(seen).containsExactly(2000L);
        a.shutdown(Duration.ofSeconds(5));
        b.shutdown(Duration.ofSeconds(5));
    }
}
