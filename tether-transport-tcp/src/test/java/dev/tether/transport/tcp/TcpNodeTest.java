package dev.tether.transport.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.Delivery;
import dev.tether.Durability;
import dev.tether.NodeId;
import dev.tether.TetherEvent;
import dev.tether.TetherNode;
import dev.tether.node.Tether;
import dev.tether.node.TetherConfig;
import dev.tether.store.memory.InMemoryStore;
import dev.tether.testkit.Await;
import dev.tether.testkit.RecordingListener;
import dev.tether.testkit.net.TcpProxy;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Two real Tether nodes (in-memory stores) over TCP on loopback, every link through a cutting proxy. */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class TcpNodeTest {
    private static final long SEED = Long.getLong("tether.seed", System.nanoTime());
    private static final NodeId A = NodeId.of("a");
    private static final NodeId B = NodeId.of("b");
    private static final Duration DEADLINE = Duration.ofSeconds(120);

    static {
        System.out.println("TcpNodeTest seed " + SEED + " (replay with -Dtether.seed=" + SEED + ")");
    }

    /** Whether the nodes run their loop on the transport's I/O thread (the default) or on a thread of their own. */
    private boolean hostNodeLoop = true;
    /** Whether handlers run on the node thread. */
    private boolean handlerOnNodeThread;

    private final ProxiedCluster cluster = new ProxiedCluster(SEED, List.of(A, B), b -> b.hostNodeLoop(hostNodeLoop));
    private final InOrder atA = new InOrder();
    private final InOrder atB = new InOrder();
    private TetherNode a;
    private TetherNode b;

    @AfterEach
    void close() {
        if (a != null) a.close();
        if (b != null) b.close();
        cluster.close();
    }

    @Test
    void tenThousandMessagesEachWayArriveInOrder() throws InterruptedException {
        int n = 10_000;
        a = start(A, B, atA);
        b = start(B, A, atB);
        Thread toB = sender(a, B, n);
        Thread toA = sender(b, A, n);
        toB.join();
        toA.join();

        awaitAll(n);
    }

    /** Where the node loop and the handler run. */
    enum Threads {
        HOSTED_LOOP_HANDLER_THREADS,
        HOSTED_LOOP_HANDLER_ON_NODE_THREAD,
        OWN_LOOP_THREAD_HANDLER_ON_NODE_THREAD
    }

    @ParameterizedTest
    @EnumSource(Threads.class)
    void messagesSurviveRepeatedConnectionCutsInOrderExactlyOnce(Threads threads) throws InterruptedException {
        hostNodeLoop = threads != Threads.OWN_LOOP_THREAD_HANDLER_ON_NODE_THREAD;
        handlerOnNodeThread = threads != Threads.HOSTED_LOOP_HANDLER_THREADS;
        int n = 30_000;
        a = start(A, B, atA);
        b = start(B, A, atB);
        Thread toB = sender(a, B, n);
        Thread toA = sender(b, A, n);
        TcpProxy ab = cluster.proxy(A, B);
        TcpProxy ba = cluster.proxy(B, A);
        for (int cut = 1; cut <= 8; cut++) {
            long before = atB.next.get() + atA.next.get();
            Await.until(
                    DEADLINE,
                    () -> atB.next.get() + atA.next.get() > before + n / 5
                            || (atB.next.get() == n && atA.next.get() == n),
                    () -> "progress before cut: " + atB.next.get() + " at b, " + atA.next.get() + " at a");
            ab.cutAll();
            ba.cutAll();
        }
        toB.join();
        toA.join();

        awaitAll(n);
        // The nodes reconnect after each cut, on their own time: when the exchange outran the cuts (the test thread
        // descheduled on a loaded machine), the reconnection after the last cut may still be on its way.
        Await.until(
                DEADLINE,
                () -> ab.forwardedConnections() + ba.forwardedConnections() > 1,
                () -> "connections made through the proxies: "
                        + (ab.forwardedConnections() + ba.forwardedConnections()));
        String expectedThread = switch (threads) {
            case HOSTED_LOOP_HANDLER_THREADS -> "tether-a-handler-";
            case HOSTED_LOOP_HANDLER_ON_NODE_THREAD -> "tether-tcp-a";
            case OWN_LOOP_THREAD_HANDLER_ON_NODE_THREAD -> "tether-a";
        };
        assertThat(atA.threads).allSatisfy(t -> assertThat(t).startsWith(expectedThread));
        if (threads == Threads.OWN_LOOP_THREAD_HANDLER_ON_NODE_THREAD)
            assertThat(atA.threads).containsExactly("tether-a");
    }

    @Test
    void garbageConnectionIsReportedAsATetherEventWhileTheNodeKeepsRunning() throws Exception {
        List<TetherEvent> events = new CopyOnWriteArrayList<>();
        TcpTransport transport = cluster.newTransport(A);
        a = Tether.start(TetherConfig.builder(A)
                .peers(B)
                .transport(transport)
                .store(new InMemoryStore())
                .durability(Durability.MEMORY)
                .handler(atA::accept)
                .listener(events::add)
                .build());
        try (RawClient garbage = new RawClient(transport.boundAddress())) {
            garbage.write("GET / HTTP/1.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            assertThat(garbage.awaitClosedByServer()).isTrue();
        }
        Await.until(
                DEADLINE,
                () -> events.stream()
                        .anyMatch(e -> e instanceof TetherEvent.ConnectionRejected r
                                && r.reason().startsWith("wrong magic")),
                () -> "ConnectionRejected event, events: " + events);
        b = start(B, A, atB);
        Thread toA = sender(b, A, 100);
        toA.join();
        Await.until(DEADLINE, () -> atA.next.get() == 100, () -> "b's messages at a: " + atA.next.get());
        assertThat(atA.error.get()).isNull();
    }

    @Test
    void linuxOnX86OrArmRunsOnNativeEpoll() {
        String os = System.getProperty("os.name");
        String arch = System.getProperty("os.arch");
        Assumptions.assumeTrue(
                os.equals("Linux") && (arch.equals("amd64") || arch.equals("aarch64")), "not Linux on amd64/aarch64");
        a = start(A, B, atA);
        TcpTransport nio = TcpTransport.builder().nativeEpoll(false).build();
        try {
            nio.start(NodeId.of("c"), new RecordingListener("c", nio.maxFrameBytes()));
            assertThat(nio.nativeEpoll()).isFalse();
        } finally {
            nio.close();
        }
        assertThat(cluster.transport(A).nativeEpoll())
                .as("the native epoll jar is on the class path and loads")
                .isTrue();
    }

    private void awaitAll(int n) {
        Await.until(
                DEADLINE,
                () -> atA.error.get() != null
                        || atB.error.get() != null
                        || (atA.next.get() == n && atB.next.get() == n),
                () -> "all messages: " + atB.next.get() + " at b, " + atA.next.get() + " at a");
        assertThat(atA.error.get()).isNull();
        assertThat(atB.error.get()).isNull();
        assertThat(atA.next.get()).isEqualTo(n);
        assertThat(atB.next.get()).isEqualTo(n);
    }

    private TetherNode start(NodeId self, NodeId peer, InOrder check) {
        return Tether.start(TetherConfig.builder(self)
                .peers(peer)
                .transport(cluster.newTransport(self))
                .store(new InMemoryStore())
                .durability(Durability.MEMORY)
                .retransmitTimeout(Duration.ofMillis(100), Duration.ofSeconds(1))
                .handler(check::accept)
                .handlerOnNodeThread(handlerOnNodeThread)
                .build());
    }

    private static Thread sender(TetherNode node, NodeId to, int n) {
        Thread t = new Thread(
                () -> {
                    for (long i = 0; i < n; i++)
                        node.send(to, ByteBuffer.allocate(100).putLong(0, i).array());
                },
                "send-" + node.id() + "-" + to);
        t.start();
        return t;
    }

    /** Checks that payload numbers arrive as 0, 1, 2, ... with no gap, repeat or reordering. */
    private static final class InOrder {
        final AtomicLong next = new AtomicLong();
        final AtomicReference<String> error = new AtomicReference<>();
        final Set<String> threads = ConcurrentHashMap.newKeySet();

        void accept(Delivery d) {
            threads.add(Thread.currentThread().getName());
            long got = d.payload().getLong(0);
            long want = next.get();
            if (got != want) {
                error.compareAndSet(
                        null,
                        "expected message " + want + " but got " + got + " (redelivery " + d.isRedelivery() + ")");
            } else {
                next.incrementAndGet();
            }
        }
    }
}
