package dev.tether.transport.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.Durability;
import dev.tether.EventHandle;
import dev.tether.EventPoisonedException;
import dev.tether.NodeId;
import dev.tether.TetherNode;
import dev.tether.node.Tether;
import dev.tether.node.TetherConfig;
import dev.tether.store.sqlite.SqliteStore;
import dev.tether.testkit.Await;
import dev.tether.testkit.NodeCrash;
import dev.tether.testkit.net.TcpProxy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Distributed events between three real nodes over TCP on loopback, with SQLite files, every link through a proxy
 * that cuts connections: awaits on one node, triggers and poisons from another, each future completed once with its
 * own outcome; an owner killed (as SIGKILL) while a trigger is on its way and a waiter registered, restarted on its
 * file.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class TcpEventsTest {
    private static final long SEED = Long.getLong("tether.seed", System.nanoTime());
    private static final NodeId A = NodeId.of("a");
    private static final NodeId B = NodeId.of("b");
    private static final NodeId C = NodeId.of("c");
    private static final Duration WAIT = Duration.ofSeconds(120);

    static {
        System.out.println("TcpEventsTest seed " + SEED + " (replay with -Dtether.seed=" + SEED + ")");
    }

    @TempDir
    Path dir;

    private final ProxiedCluster cluster = new ProxiedCluster(SEED, List.of(A, B, C), b -> b);
    private final List<TetherNode> nodes = new ArrayList<>();

    @AfterEach
    void close() {
        nodes.forEach(TetherNode::close);
        cluster.close();
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static <T> T get(CompletableFuture<T> f) throws Exception {
        return f.get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }

    @Test
    void eventsOwnedByOneNodeAwaitedOnASecondAndCompletedFromAThirdThroughConnectionCuts() throws Exception {
        TetherNode a = start(A);
        TetherNode b = start(B);
        TetherNode c = start(C);
        int n = 300;
        List<EventHandle> handles = new ArrayList<>();
        List<CompletableFuture<byte[]>> waits = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            EventHandle h = a.createEvent("e" + i);
            handles.add(h);
            waits.add(b.await(EventHandle.fromBytes(h.toBytes())));
        }
        Await.until(WAIT, () -> a.eventStats().remoteWaiters() == n, () -> "registered: " + a.eventStats());
        List<CompletableFuture<Void>> done = new ArrayList<>();
        TcpProxy ca = cluster.proxy(C, A);
        TcpProxy ab = cluster.proxy(A, B);
        for (int i = 0; i < n; i++) {
            EventHandle h = handles.get(i);
            done.add(i % 3 == 0 ? c.poison(h, "p" + i) : c.trigger(h, utf8("t" + i)));
            if (i % 100 == 50) {
                ca.cutAll();
                ab.cutAll();
            }
        }
        for (CompletableFuture<Void> f : done) get(f);
        for (int i = 0; i < n; i++) {
            if (i % 3 == 0) {
                try {
                    waits.get(i).get(WAIT.toSeconds(), TimeUnit.SECONDS);
                    throw new AssertionError("event " + i + " was poisoned, its await succeeded");
                } catch (ExecutionException e) {
                    assertThat(e.getCause()).isInstanceOf(EventPoisonedException.class);
                    assertThat(((EventPoisonedException) e.getCause()).reason()).isEqualTo("p" + i);
                }
            } else {
                assertThat(new String(get(waits.get(i)), StandardCharsets.UTF_8))
                        .isEqualTo("t" + i);
            }
        }
        assertThat(a.eventStats().pending()).isZero();
        assertThat(a.eventStats().completed()).isEqualTo(n);
        assertThat(a.eventStats().ignoredCompletions()).isZero();
        assertThat(b.eventStats().awaitingRemote()).isZero();
        assertThat(b.eventStats().noticesDropped()).isZero();
    }

    @Test
    void anOwnerKilledAndRestartedOnItsFileKeepsItsRegistryAndTheTriggerSentMeanwhileArrives() throws Exception {
        TetherNode a = start(A);
        TetherNode b = start(B);
        TetherNode c = start(C);
        EventHandle finished = a.createEvent("finished");
        get(a.trigger(finished, utf8("early")));
        EventHandle open = a.createEvent("open");
        CompletableFuture<byte[]> waiting = b.await(open);
        Await.until(WAIT, () -> a.eventStats().remoteWaiters() == 1, () -> "b registered at a");
        NodeCrash.crash(a);
        nodes.remove(a);
        get(c.trigger(open, utf8("while-down"))); // stored in c's outbox until a is back
        assertThat(waiting).isNotDone();
        TetherNode a2 = start(A);
        assertThat(new String(get(waiting), StandardCharsets.UTF_8)).isEqualTo("while-down");
        assertThat(new String(get(b.await(finished)), StandardCharsets.UTF_8)).isEqualTo("early");
        assertThat(new String(get(a2.await(open)), StandardCharsets.UTF_8)).isEqualTo("while-down");
        assertThat(a2.eventStats().completed()).isEqualTo(2);
    }

    private TetherNode start(NodeId self) {
        List<NodeId> peers = new ArrayList<>(List.of(A, B, C));
        peers.remove(self);
        TetherNode n = Tether.start(TetherConfig.builder(self)
                .peers(peers)
                .transport(cluster.newTransport(self))
                .store(new SqliteStore(dir.resolve(self + ".db")))
                .durability(Durability.FSYNC)
                .retransmitTimeout(Duration.ofMillis(100), Duration.ofSeconds(1))
                .build());
        nodes.add(n);
        return n;
    }
}
