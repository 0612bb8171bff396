package dev.tether.transport.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.tether.Durability;
import dev.tether.NodeClosedException;
import dev.tether.NodeId;
import dev.tether.Outcome;
import dev.tether.PeerInfo;
import dev.tether.SendReceipt;
import dev.tether.TetherEvent;
import dev.tether.TetherListener;
import dev.tether.TetherNode;
import dev.tether.node.Tether;
import dev.tether.node.TetherConfig;
import dev.tether.store.sqlite.SqliteStore;
import dev.tether.testkit.Await;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A {@link VirtualMachineError} that ends the node loop while it runs <em>hosted</em> on the TCP transport's I/O thread
 * ({@code Transport.nodeExecutor()}, the default over TCP) ends the node as it does on a thread of its own
 * ({@code ListenerErrorTest} in tether-testkit): the node logs it and closes itself, its transport (its port
 * refuses connections, its peer sees it go) and its store (released: a new node opens the same SQLite file at once and
 * works), and a send refused afterwards says why and carries the error as its cause.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class HostedLoopFatalErrorTest {
    private static final long SEED = Long.getLong("tether.seed", System.nanoTime());
    private static final NodeId A = NodeId.of("a");
    private static final NodeId B = NodeId.of("b");
    private static final Duration DEADLINE = Duration.ofSeconds(30);

    static {
        System.out.println("HostedLoopFatalErrorTest seed " + SEED + " (replay with -Dtether.seed=" + SEED + ")");
    }

    @TempDir
    Path dir;

    private final ProxiedCluster cluster = new ProxiedCluster(SEED, List.of(A, B), b -> b.hostNodeLoop(true));
    private final List<TetherNode> nodes = new ArrayList<>();
    private final List<String> atB = new CopyOnWriteArrayList<>();

    @AfterEach
    void close() {
        nodes.forEach(TetherNode::close);
        cluster.close();
    }

    @Test
    void aVirtualMachineErrorOnTheTransportsThreadClosesTheNodeAndReleasesItsStore() throws Exception {
        TetherNode b = startB();
        Set<String> listenerThreads = ConcurrentHashMap.newKeySet();
        AtomicBoolean thrown = new AtomicBoolean();
        TetherNode a = startA(e -> {
            listenerThreads.add(Thread.currentThread().getName());
            if (e instanceof TetherEvent.PeerConnected && thrown.compareAndSet(false, true)) {
                throw new InternalError("VM error (test)");
            }
        });
        InetSocketAddress port = cluster.transport(A).boundAddress();
        SendReceipt m = a.send(B, utf8("m"));
        CompletableFuture<Outcome> before = m.processed();
        Await.until(DEADLINE, thrown::get, () -> "a's listener saw b connect");
        assertThat(listenerThreads)
                .as("the loop ran hosted on a's I/O thread")
                .allMatch(t -> t.startsWith("tether-tcp-a"));

        NodeClosedException refused = awaitRefusal(a);
        assertThat(refused)
                .as("a send refused after the hosted loop died says why")
                .hasMessageContaining("node thread died of")
                .hasCauseInstanceOf(InternalError.class);
        Await.until(
                DEADLINE,
                () -> b.peers().stream().noneMatch(p -> p.id().equals(A) && p.connected()),
                () -> "b sees a disconnected: "
                        + b.peers().stream().map(PeerInfo::connected).toList());
        Await.until(DEADLINE, () -> refusesConnections(port), () -> "a's transport closed its port " + port);
        Await.until(DEADLINE, before::isDone, () -> "the send taken before the error answered");
        Throwable failed = catchThrowable(before::get);
        if (failed != null)
            assertThat(failed).isInstanceOf(ExecutionException.class).hasCauseInstanceOf(NodeClosedException.class);

        assertThat(a.shutdown(Duration.ofSeconds(10)))
                .as("the node's own close, ended")
                .isNotNull();
        // The store was closed and its lock released: a new node opens the same file now and works.
        TetherNode a2 = startA(e -> {});
        assertThat(a2.send(B, utf8("after")).processed().get(DEADLINE.toSeconds(), TimeUnit.SECONDS))
                .isEqualTo(Outcome.PROCESSED);
        Await.until(DEADLINE, () -> atB.contains("after"), () -> "b got a2's message: " + atB);
        assertThat(atB)
                .as("the messages of the dead node's incarnation: each once at most, before a2's")
                .endsWith("after");
        assertThat(atB.stream().filter("m"::equals).count()).isLessThanOrEqualTo(1);
        assertThat(m.accepted()).isDone();
        if (!m.accepted().isCompletedExceptionally()) assertThat(atB).containsExactly("m", "after"); // it was stored
    }

    private static NodeClosedException awaitRefusal(TetherNode a) {
        return Await.untilClosedForSends(DEADLINE, a, B, "a closes itself after its hosted loop died");
    }

    private static boolean refusesConnections(InetSocketAddress address) {
        try (Socket s = new Socket()) {
            s.connect(address, 1_000);
            return false;
        } catch (ConnectException refused) {
            return true;
        } catch (IOException other) {
            return false;
        }
    }

    private TetherNode startA(TetherListener listener) {
        return start(TetherConfig.builder(A)
                .peers(B)
                .transport(cluster.newTransport(A))
                .store(new SqliteStore(dir.resolve("a.db")))
                .durability(Durability.FSYNC)
                .listener(listener));
    }

    private TetherNode startB() {
        return start(TetherConfig.builder(B)
                .peers(A)
                .transport(cluster.newTransport(B))
                .handler(d -> atB.add(new String(d.payloadBytes(), StandardCharsets.UTF_8))));
    }

    private TetherNode start(TetherConfig.Builder config) {
        TetherNode n = Tether.start(config.retransmitTimeout(Duration.ofMillis(100), Duration.ofSeconds(1))
                .build());
        nodes.add(n);
        return n;
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
