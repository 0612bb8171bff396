package dev.tether.transport.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.Durability;
import dev.tether.NodeId;
import dev.tether.Outcome;
import dev.tether.TetherEvent;
import dev.tether.TetherNode;
import dev.tether.fixtures.Poll;
import dev.tether.node.Tether;
import dev.tether.node.TetherConfig;
import dev.tether.store.memory.InMemoryStore;
import dev.tether.testkit.Await;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A node kicked from the cluster over TCP (docs/OPERATIONS.md, "Kick from the cluster"): the kicking node refuses its
 * dials with the kick's reason, the kicked node reports {@link TetherEvent.KickedFromCluster} once and stops dialing
 * (it redialed every 200 ms at most before, refused every time), and a readmit dials it again.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TcpClusterKickTest {
    private static final Duration DEADLINE = Duration.ofSeconds(30);
    /** Long enough for about ten redials at the test's 200 ms backoff, were the kicked node still dialing. */
    private static final Duration QUIET = Duration.ofSeconds(2);

    private static final long SEED = Long.getLong("tether.seed", System.nanoTime());
    private static final NodeId A = NodeId.of("a");
    private static final NodeId C = NodeId.of("c");

    static {
        System.out.println("TcpClusterKickTest seed " + SEED + " (replay with -Dtether.seed=" + SEED + ")");
    }

    private final Random seeds = new Random(SEED);
    private final List<TetherNode> nodes = new CopyOnWriteArrayList<>();
    private final Map<NodeId, List<TetherEvent>> events = new ConcurrentHashMap<>();

    @AfterEach
    void closeAll() {
        nodes.forEach(TetherNode::close);
    }

    @Test
    void aKickedNodeLearnsItOnceStopsDialingAndIsDialedAgainOnReadmit() throws Exception {
        TcpTransport ta = transport(TcpTransport.builder());
        TetherNode a = start(A, ta, C);
        TcpTransport tc = transport(TcpTransport.builder().peer(A, ta.boundAddress()));
        TetherNode c = start(C, tc, A);
        a.addPeer(C, List.of("127.0.0.1:" + tc.boundAddress().getPort())); // where a's readmit dials c
        Await.until(DEADLINE, () -> connected(c, A), () -> "c connected to a: " + c.peers());

        Tether.management(a).kick(C);
        Await.until(DEADLINE, () -> !kicks().isEmpty(), () -> "c to learn of the kick: " + events(C));
        assertThat(kicks()).containsExactly(new TetherEvent.KickedFromCluster(A, A, 1));
        assertThat(c.stats().kickedFromCluster()).isEqualTo(1);
        assertThat(events(C))
                .anySatisfy(e -> assertThat(e)
                        .isInstanceOfSatisfying(
                                TetherEvent.ConnectionRejected.class,
                                r -> assertThat(r.reason())
                                        .contains("c was kicked from the cluster by a (generation 1); refused by a")));

        long rejected = c.stats().connectionsRejected();
        long refusals = a.stats().connectionsRejected();
        // no dial in a tight loop, none at all: a refuses nothing more during the quiet period
        assertThat(Poll.until(QUIET, Duration.ofMillis(20), () -> a.stats().connectionsRejected() > refusals))
                .as("a refused another dial of c after c reported the kick: %s", events(C))
                .isFalse();
        assertThat(c.stats().connectionsRejected()).isEqualTo(rejected);
        assertThat(kicks()).hasSize(1);

        Tether.management(a).readmit(C);
        Await.until(DEADLINE, () -> connected(c, A), () -> "c connected to a again: " + c.peers());
        assertThat(c.send(A, "back".getBytes(StandardCharsets.UTF_8))
                        .processed()
                        .get(30, TimeUnit.SECONDS))
                .isEqualTo(Outcome.PROCESSED);
    }

    private List<TetherEvent> events(NodeId id) {
        return events.computeIfAbsent(id, k -> new CopyOnWriteArrayList<>());
    }

    private List<TetherEvent.KickedFromCluster> kicks() {
        return events(C).stream()
                .filter(e -> e instanceof TetherEvent.KickedFromCluster)
                .map(e -> (TetherEvent.KickedFromCluster) e)
                .toList();
    }

    private TcpTransport transport(TcpTransport.Builder b) {
        return b.listen(new InetSocketAddress("127.0.0.1", 0))
                .reconnect(Duration.ofMillis(10), Duration.ofMillis(200))
                .random(new Random(seeds.nextLong()))
                .build();
    }

    private TetherNode start(NodeId id, TcpTransport t, NodeId peer) {
        List<TetherEvent> seen = events(id);
        TetherNode n = Tether.start(TetherConfig.builder(id)
                .peers(List.of(peer))
                .transport(t)
                .store(new InMemoryStore())
                .durability(Durability.MEMORY)
                .listener(seen::add)
                .handler(d -> {})
                .build());
        nodes.add(n);
        return n;
    }

    private static boolean connected(TetherNode n, NodeId peer) {
        return n.peers().stream().anyMatch(p -> p.id().equals(peer) && p.connected());
    }
}
