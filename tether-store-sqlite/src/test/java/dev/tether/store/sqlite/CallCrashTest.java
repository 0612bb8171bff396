package dev.tether.store.sqlite;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.Durability;
import dev.tether.NodeId;
import dev.tether.Reply;
import dev.tether.TetherNode;
import dev.tether.node.Tether;
import dev.tether.node.TetherConfig;
import dev.tether.spi.WriteBatch;
import dev.tether.testkit.Await;
import dev.tether.testkit.NodeCrash;
import dev.tether.transport.memory.InMemoryNetwork;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Durable requests across crashes of either side, on SQLite files, each node crashed in-process at an exact point
 * ({@link NodeCrash}: nothing more committed, the file free at once). A call is executed again only if the called
 * node crashed before the commit that holds both its cursor and its reply, and then flagged; its reply reaches a
 * caller that is still waiting; a caller that crashed does not make the call run twice, and drops the reply.
 */
class CallCrashTest {
    private static final NodeId A = NodeId.of("a");
    private static final NodeId B = NodeId.of("b");
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    private final InMemoryNetwork network = new InMemoryNetwork();
    private final List<TetherNode> nodes = new CopyOnWriteArrayList<>();
    /** One entry per execution of the handler: whether it was flagged as a redelivery. */
    private final List<Boolean> executions = new CopyOnWriteArrayList<>();

    @AfterEach
    void close() {
        nodes.forEach(TetherNode::close);
    }

    private TetherNode node(NodeId self, NodeId peer, HeldStore store, UnaryOperator<TetherConfig.Builder> more) {
        TetherNode n = Tether.start(more.apply(TetherConfig.builder(self)
                        .peers(peer)
                        .transport(network.newTransport())
                        .store(store)
                        .durability(Durability.FSYNC))
                .build());
        nodes.add(n);
        return n;
    }

    private HeldStore store(String name) {
        return new HeldStore(new SqliteStore(dir.resolve(name + ".db")));
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(Reply r) {
        return new String(r.payloadBytes(), StandardCharsets.UTF_8);
    }

    @Test
    void aCalleeCrashedWhileItsHandlerRanExecutesTheCallAgainFlaggedAndTheCallerGetsTheReply() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch never = new CountDownLatch(1);
        TetherNode a = node(A, B, store("a"), c -> c);
        TetherNode b = node(
                B,
                A,
                store("b"),
                c -> c.handle("work", call -> {
                    executions.add(call.isRedelivery());
                    entered.countDown();
                    never.await(); // interrupted when the crash stops the handler threads
                    return utf8("first");
                }));
        CompletableFuture<Reply> f =
                a.call(B, "work").timeout(Duration.ofMinutes(2)).request(utf8("x"));
        assertThat(entered.await(30, TimeUnit.SECONDS)).isTrue();

        NodeCrash.crash(b);
        node(
                B,
                A,
                store("b"),
                c -> c.handle("work", call -> {
                    executions.add(call.isRedelivery());
                    return utf8("second");
                }));

        assertThat(text(f.get(30, TimeUnit.SECONDS))).isEqualTo("second");
        assertThat(executions).containsExactly(false, true);
        assertThat(a.stats().calls().repliesDropped()).isZero();
    }

    @Test
    void aCrashBeforeTheCommitOfCursorAndReplyLosesBothAndTheCallRunsAgainOnce() throws Exception {
        HeldStore bStore = store("b");
        TetherNode a = node(A, B, store("a"), c -> c);
        TetherNode b = node(
                B,
                A,
                bStore,
                c -> c.handle("work", call -> {
                    executions.add(call.isRedelivery());
                    // The commit with its reply is held: it must hold the cursor too. Only a batch carrying a reply:
                    // one queued before (the new stream's cursor, written when its OPEN came) may still be on its way.
                    bStore.holdNext(batch ->
                            batch.appends().stream().anyMatch(m -> m.lane().equals("_reply")));
                    return utf8("lost");
                }));
        CompletableFuture<Reply> f =
                a.call(B, "work").timeout(Duration.ofMinutes(2)).request(utf8("x"));
        assertThat(bStore.awaitHolding(WAIT)).isTrue();
        WriteBatch held = bStore.held();
        assertThat(held.cursors()).anySatisfy(c -> assertThat(c.lane()).isEqualTo("work"));
        assertThat(held.appends()).anySatisfy(m -> assertThat(m.lane()).isEqualTo("_reply"));

        NodeCrash.crash(b);
        node(
                B,
                A,
                store("b"),
                c -> c.handle("work", call -> {
                    executions.add(call.isRedelivery());
                    return utf8("again");
                }));

        assertThat(text(f.get(30, TimeUnit.SECONDS))).isEqualTo("again");
        assertThat(executions).containsExactly(false, true);
        assertThat(a.stats().calls().repliesDropped()).isZero(); // the first reply was never stored
    }

    @Test
    void aCallerThatCrashedDoesNotRunTheCallTwiceAndDropsTheReplyItNoLongerWaitsFor() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        TetherNode a = node(A, B, store("a"), c -> c);
        node(
                B,
                A,
                store("b"),
                c -> c.handle("work", call -> {
                    executions.add(call.isRedelivery());
                    entered.countDown();
                    release.await(30, TimeUnit.SECONDS);
                    return utf8("late");
                }));
        CompletableFuture<Reply> f =
                a.call(B, "work").timeout(Duration.ofMinutes(2)).request(utf8("x"));
        assertThat(entered.await(30, TimeUnit.SECONDS)).isTrue();

        NodeCrash.crash(a);
        assertThat(f).isCompletedExceptionally(); // its process is gone: the future with it
        release.countDown();
        TetherNode restarted = node(A, B, store("a"), c -> c);

        Await.until(WAIT, () -> restarted.stats().calls().repliesDropped() == 1, () -> "the reply to be dropped");
        assertThat(executions).containsExactly(false);
        assertThat(restarted.stats().calls().repliesMatched()).isZero();
    }
}
