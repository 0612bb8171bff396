package dev.tether.transport.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.Durability;
import dev.tether.NodeId;
import dev.tether.Outcome;
import dev.tether.TetherNode;
import dev.tether.node.Tether;
import dev.tether.node.TetherConfig;
import dev.tether.spi.PeerProof;
import dev.tether.spi.Transport;
import dev.tether.store.memory.InMemoryStore;
import dev.tether.testkit.Await;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A peer added again after {@code removePeer} whose connection comes up before the node thread has taken the addition:
 * the node must keep the connection, not close it as a removed peer's. Over TCP that close stopped dialing for good
 * when the peer could not dial back (a cluster readmit left the node disconnected). The connection is made to win the
 * race every time: the transport's {@code connect} returns only once the node thread has taken the peer's up event.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TcpPeerReAddedTest {
    private static final Duration DEADLINE = Duration.ofSeconds(30);
    private static final long SEED = Long.getLong("tether.seed", System.nanoTime());
    private static final NodeId A = NodeId.of("a");
    private static final NodeId B = NodeId.of("b");

    static {
        System.out.println("TcpPeerReAddedTest seed " + SEED + " (replay with -Dtether.seed=" + SEED + ")");
    }

    private final Random seeds = new Random(SEED);
    private final List<TetherNode> nodes = new CopyOnWriteArrayList<>();
    private final List<String> receivedByB = new CopyOnWriteArrayList<>();

    @AfterEach
    void closeAll() {
        nodes.forEach(TetherNode::close);
    }

    @Test
    void aPeerAddedAgainWhoseConnectionComesUpFirstStaysConnected() throws Exception {
        // b cannot dial a (its transport has no address for it): only a's dial can bring them together
        TcpTransport tb = transport(TcpTransport.builder());
        start(B, tb, A);
        AtomicReference<TetherNode> aRef = new AtomicReference<>();
        UpBeforeConnectReturns ta =
                new UpBeforeConnectReturns(transport(TcpTransport.builder().peer(B, tb.boundAddress())), B, aRef);
        TetherNode a = start(A, ta, B);
        aRef.set(a);
        Await.until(DEADLINE, () -> connected(a, B), () -> "a connected to b: " + a.peers());

        a.removePeer(B);
        Await.until(DEADLINE, () -> !connected(a, B), () -> "a let b go: " + a.peers());
        a.addPeer(B);

        assertThat(ta.upsTakenDuringConnect.get())
                .as("the up event was taken before the addition")
                .isEqualTo(1);
        Await.until(DEADLINE, () -> connected(a, B), () -> "a connected to b again: " + a.peers());
        assertThat(a.send(B, "after".getBytes(StandardCharsets.UTF_8))
                        .processed()
                        .get(30, TimeUnit.SECONDS))
                .isEqualTo(Outcome.PROCESSED);
        assertThat(receivedByB).containsExactly("after");
    }

    private TcpTransport transport(TcpTransport.Builder b) {
        return b.listen(new InetSocketAddress("127.0.0.1", 0))
                .reconnect(Duration.ofMillis(10), Duration.ofMillis(200))
                .random(new Random(seeds.nextLong()))
                .build();
    }

    private TetherNode start(NodeId id, Transport t, NodeId peer) {
        TetherNode n = Tether.start(TetherConfig.builder(id)
                .peers(List.of(peer))
                .transport(t)
                .store(new InMemoryStore())
                .durability(Durability.MEMORY)
                .handler(d -> receivedByB.add(new String(d.payloadBytes(), StandardCharsets.UTF_8)))
                .build());
        nodes.add(n);
        return n;
    }

    private static boolean connected(TetherNode n, NodeId peer) {
        return n.peers().stream().anyMatch(p -> p.id().equals(peer) && p.connected());
    }

    /**
     * Forwards to a transport; its {@code connect(peer)} returns only after the connection it asked for came up and
     * the node thread took that event (a call to the node's {@code peers()} queues behind it).
     */
    private static final class UpBeforeConnectReturns implements Transport {
        private final Transport delegate;
        private final NodeId peer;
        private final AtomicReference<TetherNode> node;
        private final AtomicInteger ups = new AtomicInteger();
        final AtomicInteger upsTakenDuringConnect = new AtomicInteger();

        UpBeforeConnectReturns(Transport delegate, NodeId peer, AtomicReference<TetherNode> node) {
            this.delegate = delegate;
            this.peer = peer;
            this.node = node;
        }

        @Override
        public void start(NodeId self, Listener listener) {
            delegate.start(self, new Listener() {
                @Override
                public void onPeerUp(NodeId p) {
                    listener.onPeerUp(p);
                    if (p.equals(peer)) ups.incrementAndGet();
                }

                @Override
                public void onPeerDown(NodeId p) {
                    listener.onPeerDown(p);
                }

                @Override
                public void onFrame(NodeId from, ByteBuffer frame) {
                    listener.onFrame(from, frame);
                }

                @Override
                public void onConnectionRejected(String remote, String reason) {
                    listener.onConnectionRejected(remote, reason);
                }

                @Override
                public String admit(NodeId p, PeerProof proof) {
                    return listener.admit(p, proof);
                }
            });
        }

        @Override
        public void connect(NodeId p, List<String> addresses) {
            int before = ups.get();
            delegate.connect(p, addresses);
            if (!p.equals(peer) || node.get() == null) return;
            Await.until(DEADLINE, () -> ups.get() > before, () -> "the connection to " + p + " up");
            node.get().peers(); // queued behind the up event on the node thread
            upsTakenDuringConnect.incrementAndGet();
        }

        @Override
        public void disconnect(NodeId p) {
            delegate.disconnect(p);
        }

        @Override
        public boolean send(NodeId p, ByteBuffer frame) {
            return delegate.send(p, frame);
        }

        @Override
        public void flush() {
            delegate.flush();
        }

        @Override
        public int maxFrameBytes() {
            return delegate.maxFrameBytes();
        }

        @Override
        public void close() {
            delegate.close();
        }
    }
}
