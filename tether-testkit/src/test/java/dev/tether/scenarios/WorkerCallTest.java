package dev.tether.scenarios;

import static dev.tether.scenarios.Cluster.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tether.CallContext;
import dev.tether.HandlerOptions;
import dev.tether.NoSuchHandlerException;
import dev.tether.NodeId;
import dev.tether.Registration;
import dev.tether.Reply;
import dev.tether.TetherNode;
import dev.tether.testkit.Await;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code callAny(handler)} (docs/MESSAGING.md, "Calling whichever node has a handler"): the least loaded (fewest
 * outstanding calls from this node), round robin in id order among equals, of the connected peers advertising the
 * handler, never a peer that does not or is disconnected, a clear failure when
 * none does, and an in-flight durable request that stays with its node when that node goes away (answered after it
 * returns, never run on another).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class WorkerCallTest {
    private static final Duration DEADLINE = Duration.ofSeconds(20);
    private static final NodeId A = NodeId.of("a");
    private static final NodeId B = NodeId.of("b");
    private static final NodeId C = NodeId.of("c");

    /** "node:payload" of every handler run, "(redelivery)" appended if flagged. */
    private final List<String> runs = new CopyOnWriteArrayList<>();

    private byte[] answer(String node, CallContext call) {
        String p = new String(call.payloadBytes(), StandardCharsets.UTF_8);
        runs.add(node + ":" + p + (call.isRedelivery() ? " (redelivery)" : ""));
        return utf8(node);
    }

    private static String text(CompletableFuture<Reply> f) throws Exception {
        return new String(f.get(DEADLINE.toSeconds(), TimeUnit.SECONDS).payloadBytes(), StandardCharsets.UTF_8);
    }

    private static void awaitAdvertised(TetherNode a, NodeId peer) throws Exception {
        a.awaitHandler(peer, "work", DEADLINE).get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
    }

    @Test
    void callsGoRoundRobinInIdOrderToTheConnectedPeersAdvertisingTheHandler() throws Exception {
        try (Cluster c = new Cluster("a", "b", "c", "d")) {
            TetherNode a = c.start("a");
            c.start("b", cfg -> cfg.handle("work", call -> answer("b", call)));
            TetherNode cNode = c.start("c");
            Registration atC = cNode.handle("work", call -> answer("c", call));
            c.start("d", cfg -> cfg.handle("other", call -> null)); // advertises, but not "work"
            awaitAdvertised(a, B);
            awaitAdvertised(a, C);
            assertThat(a.callAny("work").peer()).isNull();

            List<String> to = new ArrayList<>();
            for (int i = 0; i < 4; i++) to.add(text(a.callAny("work").request(utf8("r" + i))));
            assertThat(to).containsExactly("b", "c", "b", "c");
            a.callAny("work").sync(utf8("s")).get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
            assertThat(runs).contains("b:s"); // the fifth call's turn

            atC.close(); // c advertises it no longer
            Await.until(DEADLINE, () -> HandlerDiscoveryTest.handlersOf(a, C).isEmpty(), () -> "c withdrew it");
            for (int i = 0; i < 3; i++)
                assertThat(text(a.callAny("work").request(utf8("x" + i)))).isEqualTo("b");

            c.crash("b"); // disconnected: not picked, although its last list named the handler
            Await.until(DEADLINE, () -> !a.stats().connectedPeers().contains(B), () -> "b gone");
            Throwable none = failure(a.callAny("work").request(utf8("nobody")));
            assertThat(none).isInstanceOf(NoSuchHandlerException.class).hasMessageContaining("no connected peer");
            assertThat(((NoSuchHandlerException) none).peer()).isNull();
            assertThatThrownBy(() -> a.callAny("work").tell(utf8("t"))).isInstanceOf(NoSuchHandlerException.class);
            assertThat(runs).noneMatch(r -> r.startsWith("d:") || r.contains("nobody"));
        }
    }

    @Test
    void aWorkerWithFewerOutstandingCallsIsPickedBeforeABusyOne() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        try (Cluster c = new Cluster("a", "b", "c")) {
            TetherNode a = c.start("a");
            c.start(
                    "b",
                    cfg -> cfg.handle("work", HandlerOptions.defaults().concurrent(8), call -> {
                        String p = new String(call.payloadBytes(), StandardCharsets.UTF_8);
                        if (!p.startsWith("slow")) return answer("b", call);
                        runs.add("b:" + p);
                        release.await();
                        return utf8("b");
                    }));
            c.start("c", cfg -> cfg.handle("work", call -> answer("c", call)));
            awaitAdvertised(a, B);
            awaitAdvertised(a, C);
            // Two calls a made to b directly are outstanding: b is the busier worker.
            List<CompletableFuture<Reply>> slow = List.of(
                    a.call(B, "work").request(utf8("slow1")), a.call(B, "work").request(utf8("slow2")));
            Await.until(DEADLINE, () -> runs.size() == 2, () -> "both running at b: " + runs);

            List<String> to = new ArrayList<>();
            for (int i = 0; i < 4; i++) to.add(text(a.callAny("work").request(utf8("r" + i))));
            assertThat(to)
                    .as("round robin would send every other one to busy b")
                    .containsExactly("c", "c", "c", "c");

            release.countDown();
            for (CompletableFuture<Reply> f : slow) assertThat(text(f)).isEqualTo("b");
            to.clear();
            for (int i = 0; i < 4; i++) to.add(text(a.callAny("work").request(utf8("s" + i))));
            assertThat(to)
                    .as("equal loads: round robin again")
                    .containsOnly("b", "c")
                    .contains("b", "c");
        }
    }

    private static Throwable failure(CompletableFuture<?> f) throws Exception {
        try {
            f.get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            return e.getCause();
        }
        throw new AssertionError("expected a failure");
    }

    @Test
    void aDurableRequestStaysWithItsNodeWhenThatNodeGoesAwayAndIsAnsweredWhenItReturns() throws Exception {
        CountDownLatch never = new CountDownLatch(1);
        try (Cluster c = new Cluster("a", "b", "c")) {
            TetherNode a = c.start("a");
            c.start(
                    "b",
                    cfg -> cfg.handle("work", call -> {
                        runs.add("b:" + new String(call.payloadBytes(), StandardCharsets.UTF_8));
                        never.await(); // interrupted by the kill
                        return utf8("never");
                    }));
            c.start("c", cfg -> cfg.handle("work", call -> answer("c", call)));
            awaitAdvertised(a, B);
            awaitAdvertised(a, C);
            CompletableFuture<Reply> slow = a.callAny("work").timeout(DEADLINE).request(utf8("slow")); // b's turn
            Await.until(DEADLINE, () -> runs.contains("b:slow"), () -> "running at b: " + runs);

            c.kill("b");
            Await.until(DEADLINE, () -> !a.stats().connectedPeers().contains(B), () -> "b gone");
            assertThat(text(a.callAny("work").request(utf8("next")))).isEqualTo("c"); // only c is left
            assertThat(slow).isNotDone(); // not moved to c

            c.start("b", cfg -> cfg.handle("work", call -> answer("b", call)));
            assertThat(text(slow)).isEqualTo("b");
            assertThat(runs).containsExactly("b:slow", "c:next", "b:slow (redelivery)");
        }
    }
}
