package dev.tether.scenarios;

import static dev.tether.scenarios.Cluster.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tether.CallContext;
import dev.tether.HandlerOptions;
import dev.tether.NodeId;
import dev.tether.Outcome;
import dev.tether.Reply;
import dev.tether.RetryPolicy;
import dev.tether.SendReceipt;
import dev.tether.TetherNode;
import dev.tether.testkit.Await;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Concurrent handlers ({@code HandlerOptions.concurrent(n)}, docs/MESSAGING.md "Concurrent handlers") between real
 * nodes: up to the limit of one stream's calls run at once and complete out of order (a reply ahead of an earlier
 * call's is sent at once); a crash of the called node runs again exactly the calls that had not completed, flagged;
 * a failed call is retried without running again the calls after it that completed.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ConcurrentHandlerTest {
    private static final Duration DEADLINE = Duration.ofSeconds(20);
    private static final NodeId B = NodeId.of("b");

    private final ExecutorService pool = Executors.newFixedThreadPool(8);
    /** Releases the call with this payload; created on demand. */
    private final Map<String, CountDownLatch> gates = new ConcurrentHashMap<>();
    /** Every start of the handler: payload, and "(redelivery)" if flagged. */
    private final List<String> started = new CopyOnWriteArrayList<>();

    private final AtomicInteger running = new AtomicInteger();
    private final AtomicInteger mostAtOnce = new AtomicInteger();

    @AfterEach
    void stop() {
        gates.values().forEach(CountDownLatch::countDown);
        pool.shutdownNow();
    }

    private CountDownLatch gate(String payload) {
        return gates.computeIfAbsent(payload, p -> new CountDownLatch(1));
    }

    /** Waits for its gate, then answers with its payload. */
    private byte[] gated(CallContext call) throws InterruptedException {
        String p = new String(call.payloadBytes(), StandardCharsets.UTF_8);
        started.add(p + (call.isRedelivery() ? " (redelivery)" : ""));
        mostAtOnce.accumulateAndGet(running.incrementAndGet(), Math::max);
        try {
            assertThat(gate(p).await(30, TimeUnit.SECONDS)).isTrue();
            return call.payloadBytes();
        } finally {
            running.decrementAndGet();
        }
    }

    private static String text(CompletableFuture<Reply> f) throws Exception {
        return new String(f.get(DEADLINE.toSeconds(), TimeUnit.SECONDS).payloadBytes(), StandardCharsets.UTF_8);
    }

    private List<CompletableFuture<Reply>> requests(TetherNode a, int n) {
        List<CompletableFuture<Reply>> l = new ArrayList<>();
        for (int i = 0; i < n; i++) l.add(a.call(B, "work").timeout(DEADLINE).request(utf8("m" + i)));
        return l;
    }

    @Test
    void upToTheLimitRunAtOnceStartInOrderAndCompleteOutOfOrder() throws Exception {
        try (Cluster c = new Cluster("a", "b")) {
            TetherNode a = c.start("a");
            c.start(
                    "b",
                    cfg -> cfg.handle("work", HandlerOptions.defaults().on(pool).concurrent(3), this::gated));
            List<CompletableFuture<Reply>> replies = requests(a, 8);
            Await.until(DEADLINE, () -> started.size() == 3, () -> "three running: " + started);
            assertThat(started).containsExactlyInAnyOrder("m0", "m1", "m2");

            gate("m2").countDown(); // completes ahead of m0 and m1: its reply comes at once, and m3 starts
            assertThat(text(replies.get(2))).isEqualTo("m2");
            Await.until(DEADLINE, () -> started.size() == 4, () -> "m3 took m2's place: " + started);
            assertThat(started.get(3)).isEqualTo("m3");
            assertThat(replies.get(0)).isNotDone();
            assertThat(replies.get(1)).isNotDone();

            for (int i = 0; i < 8; i++) gate("m" + i).countDown();
            for (int i = 0; i < 8; i++) assertThat(text(replies.get(i))).isEqualTo("m" + i);
            assertThat(mostAtOnce.get()).isEqualTo(3);
            assertThat(started).hasSize(8).doesNotHaveDuplicates();
            assertThat(c.node("b").stats().redelivered()).isZero();
            awaitNoMarkers(c);
        }
    }

    @Test
    void aCrashRunsAgainExactlyTheCallsThatHadNotCompletedFlagged() throws Exception {
        try (Cluster c = new Cluster("a", "b")) {
            TetherNode a = c.start("a");
            c.start(
                    "b",
                    cfg -> cfg.handle("work", HandlerOptions.defaults().on(pool).concurrent(4), this::gated));
            List<CompletableFuture<Reply>> replies = requests(a, 6);
            Await.until(DEADLINE, () -> started.size() == 4, () -> "four running: " + started);
            gate("m1").countDown();
            gate("m3").countDown();
            assertThat(text(replies.get(1))).isEqualTo("m1"); // stored with its completion before it was sent
            assertThat(text(replies.get(3))).isEqualTo("m3");
            Await.until(DEADLINE, () -> started.size() == 6, () -> "m4 and m5 took their places: " + started);
            gate("m5").countDown();
            assertThat(text(replies.get(5))).isEqualTo("m5");

            c.kill("b"); // m0, m2 and m4 are still running
            started.clear();
            gates.clear();
            for (String p : List.of("m0", "m2", "m4")) gate(p).countDown();
            c.start(
                    "b",
                    cfg -> cfg.handle("work", HandlerOptions.defaults().on(pool).concurrent(4), this::gated));

            for (int i = 0; i < 6; i++) assertThat(text(replies.get(i))).isEqualTo("m" + i);
            assertThat(started).containsExactlyInAnyOrder("m0 (redelivery)", "m2 (redelivery)", "m4 (redelivery)");
            awaitNoMarkers(c);
        }
    }

    /**
     * Two calls of a full window complete together, again and again, after the run handed out everything it had: the
     * window asks the node thread for more with the room it has when the request is served. A completion that comes
     * between that measure and the answer must not be lost (it once was: the window then waited with a free place
     * until another call completed, which a gated handler never does).
     */
    @Test
    void callsCompletingTogetherWhileTheWindowGrowsAreAllReplaced() throws Exception {
        int rounds = 150;
        try (Cluster c = new Cluster("a", "b")) {
            TetherNode a = c.start("a");
            c.start(
                    "b",
                    cfg -> cfg.handle("work", HandlerOptions.defaults().on(pool).concurrent(2), this::gated));
            List<CompletableFuture<Reply>> replies = requests(a, 2 * rounds + 2);
            for (int r = 0; r < rounds; r++) {
                int running = 2 * r + 2;
                Await.until(DEADLINE, () -> started.size() == running, () -> running + " started: " + started);
                gate("m" + (2 * r)).countDown();
                gate("m" + (2 * r + 1)).countDown();
            }
            for (int i = 2 * rounds; i < 2 * rounds + 2; i++) gate("m" + i).countDown();
            for (int i = 0; i < replies.size(); i++)
                assertThat(text(replies.get(i))).isEqualTo("m" + i);
            assertThat(mostAtOnce.get()).isEqualTo(2);
        }
    }

    @Test
    void aFailedTellIsRetriedAndTheTellsAfterItThatCompletedDoNotRunAgain() throws Exception {
        AtomicInteger failures = new AtomicInteger();
        try (Cluster c = new Cluster("a", "b")) {
            TetherNode a = c.start("a");
            c.start(
                    "b",
                    cfg -> cfg.retryPolicy(new RetryPolicy(5, Duration.ofMillis(20), Duration.ofMillis(20), 1.0))
                            .handle("work", HandlerOptions.defaults().on(pool).concurrent(4), call -> {
                                String p = new String(call.payloadBytes(), StandardCharsets.UTF_8);
                                started.add(p + (call.isRedelivery() ? " (redelivery)" : ""));
                                if (p.equals("t1") && failures.getAndIncrement() == 0) {
                                    throw new IllegalStateException("first attempt of t1 fails");
                                }
                                return null;
                            }));
            List<SendReceipt> told = new ArrayList<>();
            for (int i = 0; i < 8; i++) told.add(a.call(B, "work").tell(utf8("t" + i)));
            for (SendReceipt r : told) {
                assertThat(r.processed().get(DEADLINE.toSeconds(), TimeUnit.SECONDS))
                        .isEqualTo(Outcome.PROCESSED);
            }
            List<String> runs = new ArrayList<>(started);
            assertThat(runs).filteredOn(s -> s.startsWith("t1")).hasSize(2);
            for (int i = 0; i < 8; i++) {
                if (i == 1) continue;
                String p = "t" + i;
                assertThat(runs)
                        .as("runs of " + p)
                        .filteredOn(s -> s.startsWith(p))
                        .hasSize(1);
            }
            awaitNoMarkers(c);
        }
    }

    /** Every completion marker b stored is deleted once the cursor passed its call: none is left behind. */
    private static void awaitNoMarkers(Cluster c) {
        Await.until(
                DEADLINE,
                () -> c.store("b")
                        .readKeys("_ahead", null, Long.MAX_VALUE / 2, 10)
                        .isEmpty(),
                () -> "markers left: " + c.store("b").readKeys("_ahead", null, Long.MAX_VALUE / 2, 10));
    }

    @Test
    void theLimitIsCheckedAndOneMeansOrdered() {
        assertThat(HandlerOptions.defaults().concurrency()).isEqualTo(1);
        assertThat(HandlerOptions.defaults().concurrent(8).ordered().concurrency())
                .isEqualTo(1);
        assertThat(HandlerOptions.defaults().concurrent(8).onNodeThread().concurrency())
                .isEqualTo(8);
        assertThat(HandlerOptions.defaults().concurrent(8))
                .hasToString("HandlerOptions[concurrent 8, HANDLER_THREADS]");
        assertThatThrownBy(() -> HandlerOptions.defaults().concurrent(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> HandlerOptions.defaults().concurrent(HandlerOptions.MAX_CONCURRENCY + 1))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
