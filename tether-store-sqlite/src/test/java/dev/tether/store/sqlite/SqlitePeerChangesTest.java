package dev.tether.store.sqlite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tether.Durability;
import dev.tether.NodeId;
import dev.tether.Outcome;
import dev.tether.PeerInfo;
import dev.tether.TetherNode;
import dev.tether.UnknownPeerException;
import dev.tether.node.Tether;
import dev.tether.node.TetherConfig;
import dev.tether.testkit.Await;
import dev.tether.testkit.NodeCrash;
import dev.tether.transport.memory.InMemoryNetwork;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code addPeer}/{@code removePeer} are stored in the node's SQLite file and outlast a restart on it, after a clean
 * shutdown and after a crash right after the call returned: a removed peer stays removed (even a configured one) until
 * it is added again, an added one stays added (admitted although no allow-list admits it).
 */
class SqlitePeerChangesTest {
    private static final NodeId A = NodeId.of("a");
    private static final NodeId B = NodeId.of("b");
    private static final Duration DEADLINE = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    private final InMemoryNetwork network = new InMemoryNetwork();
    private final List<TetherNode> nodes = new CopyOnWriteArrayList<>();
    private final List<String> seenAtA = new CopyOnWriteArrayList<>();

    @AfterEach
    void close() {
        nodes.forEach(TetherNode::close);
    }

    private TetherNode start(NodeId self, Consumer<TetherConfig.Builder> customize) {
        TetherConfig.Builder b = TetherConfig.builder(self)
                .transport(network.newTransport())
                .store(new SqliteStore(dir.resolve(self.value() + ".db")))
                .durability(Durability.FSYNC)
                .handler(d -> {
                    if (self.equals(A)) seenAtA.add(new String(d.payloadBytes(), StandardCharsets.UTF_8));
                });
        customize.accept(b);
        TetherNode n = Tether.start(b.build());
        nodes.add(n);
        return n;
    }

    private void stop(TetherNode n, boolean crash) {
        if (crash) NodeCrash.crash(n);
        else n.close();
        nodes.remove(n);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aRemovedConfiguredPeerStaysRemovedAfterACleanRestart() throws Exception {
        removedStaysRemoved(false);
    }

    @Test
    void aRemovedConfiguredPeerStaysRemovedAfterACrashRightAfterRemovePeerReturned() throws Exception {
        removedStaysRemoved(true);
    }

    private void removedStaysRemoved(boolean crash) throws Exception {
        TetherNode a = start(A, c -> c.peers(B));
        TetherNode b = start(B, c -> c.peers(A));
        assertThat(a.send(B, utf8("m1")).processed().get(30, TimeUnit.SECONDS)).isEqualTo(Outcome.PROCESSED);
        a.removePeer(B);
        stop(a, crash);

        TetherNode again = start(A, c -> c.peers(B));
        assertThatThrownBy(() -> again.send(B, utf8("refused"))).isInstanceOf(UnknownPeerException.class);
        assertThat(again.peers()).extracting(PeerInfo::id).doesNotContain(B);
        b.send(A, utf8("from b")).accepted().get(30, TimeUnit.SECONDS);
        Await.until(DEADLINE, () -> again.stats().connectionsRejected() > 0, () -> "b refused after the restart");
        assertThat(seenAtA).isEmpty();

        again.addPeer(B);
        Await.until(DEADLINE, () -> seenAtA.equals(List.of("from b")), () -> "b's message after the re-add");
        stop(again, crash);
        TetherNode third = start(A, c -> c.peers(B)); // the re-add is stored too
        assertThat(third.send(B, utf8("m2")).processed().get(30, TimeUnit.SECONDS))
                .isEqualTo(Outcome.PROCESSED);
    }

    @Test
    void anAddedPeerStaysAddedWithItsOriginAfterACrash() throws Exception {
        TetherNode a = start(A, c -> c.allowedPeers("nobody"));
        start(B, c -> c.peers(A));
        a.addPeer(B, List.of());
        assertThat(a.send(B, utf8("m1")).processed().get(30, TimeUnit.SECONDS)).isEqualTo(Outcome.PROCESSED);
        stop(a, true);

        TetherNode again = start(A, c -> c.allowedPeers("nobody"));
        assertThat(again.peers())
                .filteredOn(p -> p.id().equals(B))
                .extracting(PeerInfo::origin)
                .containsExactly(PeerInfo.Origin.ADDED);
        assertThat(again.send(B, utf8("m2")).processed().get(30, TimeUnit.SECONDS))
                .isEqualTo(Outcome.PROCESSED);
        assertThat(again.stats().connectionsRejected()).isZero();
    }
}
