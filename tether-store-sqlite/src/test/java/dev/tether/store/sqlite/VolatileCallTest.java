package dev.tether.store.sqlite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tether.NodeId;
import dev.tether.Outcome;
import dev.tether.Reply;
import dev.tether.SendReceipt;
import dev.tether.TetherNode;
import dev.tether.VolatileLostException;
import dev.tether.node.TetherConfig;
import dev.tether.spi.StoredMessage;
import dev.tether.spi.WriteBatch;
import dev.tether.testkit.Await;
import dev.tether.testkit.NodeCrash;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Volatile calls (E2) on nodes with SQLite files at FSYNC, each crashed in-process ({@link NodeCrash}): nothing of a
 * volatile call or its reply is ever written to either store; a callee that restarts never executes a volatile call
 * again, and the caller's future fails with {@link VolatileLostException} instead; a caller that restarts starts
 * its volatile streams afresh.
 */
class VolatileCallTest {
    private static final NodeId A = NodeId.of("a");
    private static final NodeId B = NodeId.of("b");
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    private VolatileNodes nodes;
    private final List<String> executions = new CopyOnWriteArrayList<>();

    @BeforeEach
    void nodes() {
        nodes = new VolatileNodes(dir);
    }

    @AfterEach
    void close() {
        nodes.close();
    }

    private TetherNode node(NodeId self, NodeId peer, UnaryOperator<TetherConfig.Builder> more) {
        return nodes.start(self, peer, more);
    }

    private TetherNode echo(String tag) {
        return node(
                B,
                A,
                c -> c.handle("echo", call -> {
                    executions.add(tag + ":" + new String(call.payloadBytes(), StandardCharsets.UTF_8));
                    return call.payloadBytes();
                }));
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(Reply r) {
        return new String(r.payloadBytes(), StandardCharsets.UTF_8);
    }

    @Test
    void volatileCallsAreAnsweredInOrderAndNeitherNodeStoresAnyOfThem() throws Exception {
        TetherNode a = node(A, B, c -> c);
        echo("b");
        List<CompletableFuture<Reply>> replies = new java.util.ArrayList<>();
        for (int i = 0; i < 200; i++) {
            replies.add(a.call(B, "echo").volatileDelivery().timeout(WAIT).request(utf8("m" + i)));
        }
        a.call(B, "echo").volatileDelivery().sync(utf8("last")).get(30, TimeUnit.SECONDS);
        for (int i = 0; i < 200; i++) assertThat(text(replies.get(i).get())).isEqualTo("m" + i);
        assertThat(executions).hasSize(201).startsWith("b:m0", "b:m1").endsWith("b:last");
        SendReceipt told = a.call(B, "echo").volatileDelivery().tell(utf8("told"));
        assertThat(told.processed().get(30, TimeUnit.SECONDS)).isEqualTo(Outcome.PROCESSED);
        assertThat(a.stats().streams()).anySatisfy(s -> assertThat(s.lane()).isEqualTo("_v.echo"));
        nodes.assertNothingVolatileStored();
    }

    @Test
    void handlerAdvertisementsAreNeverStoredAndARestartedPeerGetsAFreshOne() throws Exception {
        TetherNode a = node(A, B, c -> c.handle("at.a", call -> null));
        TetherNode b = echo("b");
        a.awaitHandler(B, "echo", WAIT).get(30, TimeUnit.SECONDS);
        b.awaitHandler(A, "at.a", WAIT).get(30, TimeUnit.SECONDS);
        assertThat(a.listHandlers(B, WAIT).get(30, TimeUnit.SECONDS)).containsExactly("echo");

        NodeCrash.crash(b);
        nodes.crashed(b);
        TetherNode again = node(B, A, c -> c.handle("echo2", call -> null));
        again.awaitHandler(A, "at.a", WAIT).get(30, TimeUnit.SECONDS); // a's fresh advertisement to the new process
        a.awaitHandler(B, "echo2", WAIT).get(30, TimeUnit.SECONDS);
        Await.until(WAIT, () -> a.peers().stream().anyMatch(p -> p.handlers().equals(List.of("echo2"))), () -> "");
        nodes.assertNothingVolatileStored();
        for (WriteBatch w : nodes.committed()) {
            assertThat(w.appends()).extracting(StoredMessage::lane).noneMatch(l -> l.endsWith("_sys"));
        }
    }

    @Test
    void aCalleeThatRestartsWhileAVolatileCallRunsNeverRunsItAgainAndTheCallerIsToldItIsLost() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch never = new CountDownLatch(1);
        TetherNode a = node(A, B, c -> c);
        TetherNode b = node(
                B,
                A,
                c -> c.handle("work", call -> {
                    executions.add("first:" + new String(call.payloadBytes(), StandardCharsets.UTF_8));
                    entered.countDown();
                    never.await(); // interrupted when the crash stops the handler threads
                    return utf8("never");
                }));
        CompletableFuture<Reply> f = a.call(B, "work")
                .volatileDelivery()
                .timeout(Duration.ofMinutes(2))
                .request(utf8("x"));
        assertThat(entered.await(30, TimeUnit.SECONDS)).isTrue();

        NodeCrash.crash(b);
        node(
                B,
                A,
                c -> c.handle("work", call -> {
                    executions.add("second:" + new String(call.payloadBytes(), StandardCharsets.UTF_8));
                    return call.payloadBytes();
                }));

        assertThatThrownBy(() -> f.get(30, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(VolatileLostException.class);
        assertThat(a.stats().calls().volatileLost()).isEqualTo(1);
        // The stream goes on with the restarted callee: the next call runs there, the lost one never does.
        Reply next = a.call(B, "work")
                .volatileDelivery()
                .timeout(WAIT)
                .request(utf8("y"))
                .get(30, TimeUnit.SECONDS);
        assertThat(text(next)).isEqualTo("y");
        assertThat(executions).containsExactly("first:x", "second:y");
        nodes.assertNothingVolatileStored();
    }

    @Test
    void aCallerThatRestartsStartsItsVolatileStreamsAfreshAndNothingRunsTwice() throws Exception {
        TetherNode a = node(A, B, c -> c);
        echo("b");
        for (int i = 0; i < 5; i++) {
            a.call(B, "echo")
                    .volatileDelivery()
                    .timeout(WAIT)
                    .request(utf8("m" + i))
                    .get(30, TimeUnit.SECONDS);
        }
        NodeCrash.crash(a);
        TetherNode restarted = node(A, B, c -> c);
        // Its new volatile stream numbers from 1 again: taken as a new sender incarnation, not as duplicates.
        Reply r = restarted
                .call(B, "echo")
                .volatileDelivery()
                .timeout(WAIT)
                .request(utf8("after"))
                .get(30, TimeUnit.SECONDS);
        assertThat(text(r)).isEqualTo("after");
        Await.until(WAIT, () -> executions.size() == 6, () -> "six executions");
        assertThat(executions).containsExactly("b:m0", "b:m1", "b:m2", "b:m3", "b:m4", "b:after");
        nodes.assertNothingVolatileStored();
    }

    @Test
    void aVolatileTellToACalleeThatRestartedBeforeAcknowledgingItCompletesAsLost() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch never = new CountDownLatch(1);
        TetherNode a = node(A, B, c -> c);
        TetherNode b = node(
                B,
                A,
                c -> c.handle("work", call -> {
                    entered.countDown();
                    never.await();
                    return null;
                }));
        SendReceipt told = a.call(B, "work").volatileDelivery().tell(utf8("x"));
        assertThat(entered.await(30, TimeUnit.SECONDS)).isTrue();
        NodeCrash.crash(b);
        node(B, A, c -> c.handle("work", call -> null));
        assertThat(told.processed().get(30, TimeUnit.SECONDS)).isEqualTo(Outcome.LOST);
    }
}
