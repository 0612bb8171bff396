package dev.tether.systest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.Delivery;
import dev.tether.Durability;
import dev.tether.NodeId;
import dev.tether.QueueFullException;
import dev.tether.TetherNode;
import dev.tether.fixtures.NatsServerProcess;
import dev.tether.node.Tether;
import dev.tether.node.TetherConfig;
import dev.tether.spi.Transport;
import dev.tether.store.memory.InMemoryStore;
import dev.tether.testkit.Await;
import dev.tether.testkit.ForwardingTransport;
import dev.tether.testkit.Pacer;
import dev.tether.testkit.net.TcpProxy;
import dev.tether.transport.CompositeTransport;
import dev.tether.transport.nats.NatsTransport;
import dev.tether.transport.tcp.TcpTransport;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 11 item 9: two nodes in this JVM, each on a {@link CompositeTransport} of TCP (preferred; every connection
 * through a {@link TcpProxy}) and NATS (the fallback; a nats-server on a free loopback port). Both send on three
 * lanes to each other, paced, all through the test. Mid-stream the TCP proxies refuse new connections and cut the
 * open ones: both composites fail over to NATS and the streams go on; then TCP is let through again and both switch
 * back after the default period of 1 s, the streams still going. Every stream is checked message by message: its
 * numbers arrive 0, 1, 2, ... with no gap, repeat or reordering, up to the last one sent.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class CompositeFailoverTest {
    private static final Duration DEADLINE = Duration.ofSeconds(60);
    private static final NodeId A = NodeId.of("a");
    private static final NodeId B = NodeId.of("b");
    private static final List<String> LANES = List.of("l0", "l1", "l2");
    /** Messages per second each node sends, over all its lanes. */
    private static final int RATE = 1_500;

    private final long seed = Seeds.seed("composite failover");
    private final Map<NodeId, TcpTransport> tcp = new ConcurrentHashMap<>();
    private final Map<NodeId, UpTracking> natsLinks = new ConcurrentHashMap<>();
    private final Map<NodeId, CompositeTransport> composites = new ConcurrentHashMap<>();
    private final Map<NodeId, TetherNode> nodes = new ConcurrentHashMap<>();
    private final Map<NodeId, Streams> received = Map.of(A, new Streams(), B, new Streams());
    private final AtomicBoolean stop = new AtomicBoolean();

    @AfterEach
    void close() {
        stop.set(true);
        nodes.values().forEach(TetherNode::close);
    }

    @Test
    void cuttingThePreferredTransportMidStreamLosesDuplicatesAndReordersNothing() throws Exception {
        try (NatsServerProcess nats = NatsServerProcess.start();
                TcpProxy toA = TcpProxy.start(() -> addressOf(A));
                TcpProxy toB = TcpProxy.start(() -> addressOf(B))) {
            start(A, B, toB, nats);
            start(B, A, toA, nats);
            Sender ab = new Sender(nodes.get(A), B, seed);
            Sender ba = new Sender(nodes.get(B), A, seed + 1);
            awaitCarriedBy(0);
            awaitProgress(300);
            // A fail-over needs the fallback up at the cut: else the cut is a reconnect over NATS, not a switch
            Await.until(
                    DEADLINE,
                    () -> natsLinks.get(A).isUp(B) && natsLinks.get(B).isUp(A),
                    () -> "both NATS members to have their peer up");

            toA.pause();
            toB.pause();
            toA.cutAll();
            toB.cutAll();
            awaitCarriedBy(1);
            long tcpBytes = toA.bytesToTarget() + toB.bytesToTarget();
            awaitProgress(1_000);
            assertThat(toA.bytesToTarget() + toB.bytesToTarget())
                    .as("nothing went over TCP while it was cut")
                    .isEqualTo(tcpBytes);

            toA.resume();
            toB.resume();
            awaitCarriedBy(0);
            awaitProgress(1_000);

            stop.set(true);
            ab.join();
            ba.join();
            awaitAll(A, ba.sent());
            awaitAll(B, ab.sent());
            System.out.printf(
                    "composite failover seed %d: %d + %d messages, switches a %d b %d, dropped frames a %d b %d%n",
                    seed,
                    total(ab.sent()),
                    total(ba.sent()),
                    composites.get(A).switches(),
                    composites.get(B).switches(),
                    composites.get(A).droppedFrames(),
                    composites.get(B).droppedFrames());
            for (NodeId n : List.of(A, B)) {
                assertThat(composites.get(n).switches()).as("switches at " + n).isGreaterThanOrEqualTo(2);
            }
        }
    }

    private void start(NodeId self, NodeId peer, TcpProxy toPeer, NatsServerProcess nats) {
        TcpTransport t = TcpTransport.builder()
                .listen(new InetSocketAddress("127.0.0.1", 0))
                .peer(peer, toPeer.address())
                .reconnect(Duration.ofMillis(5), Duration.ofMillis(200))
                .random(new Random(seed ^ self.hashCode()))
                .build();
        tcp.put(self, t);
        NatsTransport n = NatsTransport.builder()
                .servers(nats.url())
                .prefix("composite-" + seed)
                .announceInterval(Duration.ofMillis(100))
                .peerTimeout(Duration.ofSeconds(6))
                .reconnectWait(Duration.ofMillis(100))
                .build();
        UpTracking tracked = new UpTracking(n);
        natsLinks.put(self, tracked);
        CompositeTransport composite = CompositeTransport.of(t, tracked);
        composites.put(self, composite);
        Streams check = received.get(self);
        nodes.put(
                self,
                Tether.start(TetherConfig.builder(self)
                        .peers(peer)
                        .transport(composite)
                        .store(new InMemoryStore())
                        .durability(Durability.MEMORY)
                        .maxMessageBytes(64 * 1024)
                        .retransmitTimeout(Duration.ofMillis(100), Duration.ofSeconds(1))
                        .handler(check::accept)
                        .build()));
    }

    private InetSocketAddress addressOf(NodeId id) {
        TcpTransport t = tcp.get(id);
        try {
            return t == null ? null : t.boundAddress();
        } catch (IllegalStateException notStarted) {
            return null;
        }
    }

    private void awaitCarriedBy(int member) {
        Await.until(
                DEADLINE,
                () -> composites.get(A).currentMember(B) == member
                        && composites.get(B).currentMember(A) == member,
                () -> "both carried by member " + member + ": a has b on "
                        + composites.get(A).currentMember(B) + ", b has a on "
                        + composites.get(B).currentMember(A));
    }

    /** Waits until each node received {@code more} messages beyond what it had, failing on a stream error. */
    private void awaitProgress(long more) {
        long atA = received.get(A).total();
        long atB = received.get(B).total();
        Await.until(
                DEADLINE,
                () -> errors() != null
                        || (received.get(A).total() >= atA + more
                                && received.get(B).total() >= atB + more),
                () -> "progress: a " + received.get(A).total() + " of " + (atA + more) + ", b "
                        + received.get(B).total() + " of " + (atB + more));
        assertThat(errors()).isNull();
    }

    private void awaitAll(NodeId at, Map<String, Long> sent) {
        Streams s = received.get(at);
        Await.until(
                DEADLINE,
                () -> errors() != null || s.matches(sent),
                () -> "all messages at " + at + ": sent " + sent + ", received " + s.next);
        assertThat(errors()).isNull();
        assertThat(s.matches(sent)).isTrue();
    }

    private String errors() {
        String e = received.get(A).error.get();
        return e != null
                ? "at a: " + e
                : received.get(B).error.get() == null
                        ? null
                        : "at b: " + received.get(B).error.get();
    }

    private static long total(Map<String, Long> sent) {
        return sent.values().stream().mapToLong(Long::longValue).sum();
    }

    /** Per lane, the next number expected; the first message out of sequence is kept as the error. */
    private static final class Streams {
        final Map<String, AtomicLong> next = new ConcurrentHashMap<>();
        final AtomicReference<String> error = new AtomicReference<>();

        void accept(Delivery d) {
            long got = d.payload().getLong(0);
            AtomicLong want = next.computeIfAbsent(d.lane(), l -> new AtomicLong());
            if (got != want.get()) {
                error.compareAndSet(
                        null,
                        "lane " + d.lane() + " from " + d.from() + ": expected " + want.get() + " but got " + got
                                + " (redelivery " + d.isRedelivery() + ")");
            } else {
                want.incrementAndGet();
            }
        }

        long total() {
            return next.values().stream().mapToLong(AtomicLong::get).sum();
        }

        boolean matches(Map<String, Long> sent) {
            for (Map.Entry<String, Long> e : sent.entrySet()) {
                AtomicLong n = next.get(e.getKey());
                if ((n == null ? 0 : n.get()) != e.getValue()) return false;
            }
            return true;
        }
    }

    /** Sends numbered messages on the lanes in a seeded order at {@link #RATE} until stopped. */
    private final class Sender {
        private final Map<String, Long> sent = new ConcurrentHashMap<>();
        private final Thread thread;

        Sender(TetherNode node, NodeId to, long seed) {
            LANES.forEach(l -> sent.put(l, 0L));
            Random random = new Random(seed);
            thread = new Thread(
                    () -> {
                        Pacer pacer = Pacer.perSecond(RATE);
                        String lane = LANES.get(random.nextInt(LANES.size()));
                        while (!stop.get()) {
                            pacer.awaitNext();
                            long n = sent.get(lane);
                            try {
                                node.send(
                                        to,
                                        lane,
                                        ByteBuffer.allocate(64).putLong(0, n).array());
                            } catch (QueueFullException full) {
                                continue; // the same number again at the next slot
                            }
                            sent.put(lane, n + 1);
                            lane = LANES.get(random.nextInt(LANES.size()));
                        }
                    },
                    "send-" + node.id() + "-" + to);
            thread.start();
        }

        void join() throws InterruptedException {
            thread.join(DEADLINE.toMillis());
            assertThat(thread.isAlive()).isFalse();
        }

        Map<String, Long> sent() {
            return sent;
        }
    }

    /** A member that remembers which peers it has up now, as it reported them to the composite. */
    private static final class UpTracking extends ForwardingTransport {
        private final Set<NodeId> up = ConcurrentHashMap.newKeySet();

        UpTracking(Transport member) {
            super(member);
        }

        boolean isUp(NodeId peer) {
            return up.contains(peer);
        }

        @Override
        protected Listener listener(Listener composite) {
            return new ForwardingListener(composite) {
                @Override
                public void onPeerUp(NodeId peer) {
                    up.add(peer);
                    delegate().onPeerUp(peer);
                }

                @Override
                public void onPeerDown(NodeId peer) {
                    up.remove(peer);
                    delegate().onPeerDown(peer);
                }
            };
        }
    }
}
