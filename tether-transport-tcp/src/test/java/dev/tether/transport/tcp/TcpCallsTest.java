package dev.tether.transport.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.CallStats;
import dev.tether.Durability;
import dev.tether.HandlerOptions;
import dev.tether.NodeId;
import dev.tether.Reply;
import dev.tether.TetherNode;
import dev.tether.node.Tether;
import dev.tether.node.TetherConfig;
import dev.tether.store.sqlite.SqliteStore;
import dev.tether.testkit.Await;
import dev.tether.testkit.net.TcpProxy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Requests between two real nodes over TCP on loopback with SQLite stores (fsync), every link through a proxy that
 * cuts connections mid-stream: each call is handled once and each caller's future completes once, with its own
 * reply.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class TcpCallsTest {
    private static final long SEED = Long.getLong("tether.seed", System.nanoTime());
    private static final NodeId A = NodeId.of("a");
    private static final NodeId B = NodeId.of("b");
    private static final Duration DEADLINE = Duration.ofSeconds(120);

    static {
        System.out.println("TcpCallsTest seed " + SEED + " (replay with -Dtether.seed=" + SEED + ")");
    }

    @TempDir
    Path dir;

    private final ProxiedCluster cluster = new ProxiedCluster(SEED, List.of(A, B), b -> b);
    private final List<TetherNode> nodes = new ArrayList<>();

    @AfterEach
    void close() {
        nodes.forEach(TetherNode::close);
        cluster.close();
    }

    /** Where the called node's handler runs. */
    enum Placement {
        HANDLER_THREADS,
        NODE_THREAD
    }

    @ParameterizedTest
    @EnumSource(Placement.class)
    void requestsThroughConnectionCutsAreEachHandledOnceAndAnsweredOnce(Placement placement) throws Exception {
        ConcurrentHashMap<String, AtomicInteger> handled = new ConcurrentHashMap<>();
        HandlerOptions options = placement == Placement.NODE_THREAD
                ? HandlerOptions.defaults().onNodeThread()
                : HandlerOptions.defaults();
        TetherNode a = start(A, B, c -> c);
        start(
                B,
                A,
                c -> c.handle("echo", options, call -> {
                    handled.computeIfAbsent(
                                    new String(call.payloadBytes(), StandardCharsets.UTF_8), k -> new AtomicInteger())
                            .incrementAndGet();
                    return call.payloadBytes();
                }));
        int threads = 4;
        int perThread = 750;
        AtomicInteger answered = new AtomicInteger();
        List<Throwable> problems = new CopyOnWriteArrayList<>();
        List<Thread> callers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            String prefix = "t" + t + "-";
            callers.add(new Thread(() -> callMany(a, prefix, perThread, answered, problems)));
        }
        callers.forEach(Thread::start);
        TcpProxy ab = cluster.proxy(A, B);
        TcpProxy ba = cluster.proxy(B, A);
        int total = threads * perThread;
        for (int cut = 1; cut <= 4; cut++) {
            int before = answered.get();
            Await.until(
                    DEADLINE,
                    () -> answered.get() > before + total / 8 || answered.get() == total,
                    () -> "progress before cut, " + answered.get() + " answered");
            ab.cutAll();
            ba.cutAll();
        }
        for (Thread t : callers) t.join(DEADLINE.toMillis());

        assertThat(problems).isEmpty();
        assertThat(answered).hasValue(total);
        assertThat(handled).hasSize(total);
        assertThat(handled.values()).allSatisfy(n -> assertThat(n).hasValue(1));
        CallStats s = a.stats().calls();
        assertThat(s.repliesMatched()).isEqualTo(total);
        assertThat(s.repliesDropped()).isZero();
        assertThat(s.pendingCalls()).isZero();
        assertThat(ab.forwardedConnections() + ba.forwardedConnections()).isGreaterThan(2);
    }

    private static void callMany(
            TetherNode node, String prefix, int n, AtomicInteger answered, List<Throwable> problems) {
        try {
            List<CompletableFuture<Reply>> replies = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                byte[] p = (prefix + i).getBytes(StandardCharsets.UTF_8);
                CompletableFuture<Reply> f =
                        node.call(B, "echo").timeout(DEADLINE).request(p);
                f.thenRun(answered::incrementAndGet);
                replies.add(f);
            }
            for (int i = 0; i < n; i++) {
                String got = new String(
                        replies.get(i)
                                .get(DEADLINE.toSeconds(), TimeUnit.SECONDS)
                                .payloadBytes(),
                        StandardCharsets.UTF_8);
                if (!got.equals(prefix + i)) problems.add(new AssertionError("call " + prefix + i + " got " + got));
            }
        } catch (Throwable e) {
            problems.add(e);
        }
    }

    private TetherNode start(NodeId self, NodeId peer, java.util.function.UnaryOperator<TetherConfig.Builder> more) {
        TetherNode n = Tether.start(more.apply(TetherConfig.builder(self)
                        .peers(peer)
                        .transport(cluster.newTransport(self))
                        .store(new SqliteStore(dir.resolve(self + ".db")))
                        .durability(Durability.FSYNC)
                        .retransmitTimeout(Duration.ofMillis(100), Duration.ofSeconds(1)))
                .build());
        nodes.add(n);
        return n;
    }
}
