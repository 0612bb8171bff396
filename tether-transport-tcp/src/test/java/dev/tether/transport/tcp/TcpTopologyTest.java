package dev.tether.transport.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.NodeId;
import dev.tether.testkit.Await;
import dev.tether.testkit.net.TcpProxy;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Who connects to whom: mutual dialing, unknown inbound peers. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TcpTopologyTest {
    private static final long SEED = Long.getLong("tether.seed", System.nanoTime());
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final NodeId A = NodeId.of("a");
    private static final NodeId B = NodeId.of("b");
    private static final NodeId C = NodeId.of("c");

    static {
        System.out.println("TcpTopologyTest seed " + SEED + " (replay with -Dtether.seed=" + SEED + ")");
    }

    private final List<RecordingNode> nodes = new ArrayList<>();

    @AfterEach
    void closeAll() {
        nodes.forEach(RecordingNode::close);
        for (RecordingNode n : nodes)
            assertThat(n.listener.violations()).as("rules at " + n.id).isEmpty();
    }

    @Test
    void nodesDialingEachOtherEndWithOneConnectionPerPair() {
        List<NodeId> ids = List.of(A, B, C);
        for (int round = 0; round < 5; round++) {
            try (ProxiedCluster cluster = new ProxiedCluster(SEED + round, ids, b -> b)) {
                List<RecordingNode> started = new ArrayList<>();
                for (NodeId id : ids) started.add(start(id.value(), cluster.newTransport(id)));
                for (RecordingNode n : started) {
                    Await.until(
                            TIMEOUT,
                            () -> ids.stream().filter(p -> !p.equals(n.id)).allMatch(n.listener::isUp),
                            () -> n.id + " to see everyone up");
                }
                // every link runs through a proxy, two sockets per forwarded connection
                Await.until(
                        TIMEOUT,
                        () -> openSockets(cluster, ids) == 2 * 3,
                        () -> "one connection per pair, sockets open: " + openSockets(cluster, ids));
                for (RecordingNode n : started) {
                    for (NodeId p : ids) {
                        if (!p.equals(n.id))
                            assertThat(n.listener.ups(p))
                                    .as(n.id + " sees " + p + " up once")
                                    .isEqualTo(1);
                    }
                }
                started.forEach(RecordingNode::close);
            }
        }
    }

    @Test
    void nodeOutsideThePeerListConnectsInbound() {
        RecordingNode a = start("a", TcpTransport.builder().build());
        RecordingNode c = start(
                "c", TcpTransport.builder().peer(A, a.transport.boundAddress()).build());

        Await.until(TIMEOUT, () -> a.listener.isUp(C) && c.listener.isUp(A), () -> "c known to a after the handshake");
        assertThat(a.transport.send(C, ByteBuffer.wrap(new byte[] {42}))).isTrue();
        Await.until(TIMEOUT, () -> !c.listener.frames().isEmpty(), () -> "a's frame at c");
        assertThat(c.listener.frames().get(0).bytes()).containsExactly(42);
    }

    private RecordingNode start(String id, TcpTransport transport) {
        RecordingNode node = RecordingNode.start(id, transport);
        nodes.add(node);
        return node;
    }

    private static int openSockets(ProxiedCluster cluster, List<NodeId> ids) {
        int n = 0;
        for (NodeId from : ids) {
            for (NodeId to : ids) {
                if (!from.equals(to)) {
                    TcpProxy p = cluster.proxy(from, to);
                    n += p.openSockets();
                }
            }
        }
        return n;
    }
}
