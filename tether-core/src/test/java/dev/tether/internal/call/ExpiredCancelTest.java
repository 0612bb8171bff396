package dev.tether.internal.call;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.Durability;
import dev.tether.HandlerOptions;
import dev.tether.NodeId;
import dev.tether.Reply;
import dev.tether.StreamStats;
import dev.tether.TetherEvent;
import dev.tether.TetherNode;
import dev.tether.internal.node.RealTetherNode;
import dev.tether.node.Tether;
import dev.tether.node.TetherConfig;
import dev.tether.store.memory.InMemoryStore;
import dev.tether.transport.memory.InMemoryNetwork;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A cancel that comes for a call waiting in its stream's delivery run is kept by the called node until the call
 * starts or is settled ({@link Cancels}); a call that runs out of time there is settled EXPIRED by the runtime without
 * reaching the call layer, which must still drop the cancel. Real nodes, in-memory, with a clock the test moves; b's
 * handler holds call 1 so that call 2 waits behind it, once in the run of an ordered handler and once in the window of
 * a concurrent one whose single thread is busy.
 */
class ExpiredCancelTest {
    private static final NodeId A = NodeId.of("a");
    private static final NodeId B = NodeId.of("b");
    private static final long WAIT_SECONDS = 30;

    private final InMemoryNetwork network = new InMemoryNetwork();
    /** Added to the real time by the test's clock. */
    private final AtomicLong skipped = new AtomicLong();

    private final CountDownLatch firstStarted = new CountDownLatch(1);
    private final CountDownLatch releaseFirst = new CountDownLatch(1);
    private final CountDownLatch expiredAtB = new CountDownLatch(1);
    private final ThreadPoolExecutor oneThread =
            new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS, new LinkedBlockingQueue<>());
    private final List<TetherNode> nodes = new ArrayList<>();

    @AfterEach
    void close() {
        releaseFirst.countDown();
        for (TetherNode n : nodes) n.close();
        oneThread.shutdownNow();
    }

    @Test
    void aCallExpiredInTheRunOfAnOrderedHandlerLeavesNoCancel() throws Exception {
        TetherNode a = start(A, B, HandlerOptions.defaults()); // b down: a's two calls leave in one frame later
        CompletableFuture<Reply> first =
                a.call(B, "work").timeout(Duration.ofHours(1)).request(new byte[] {1});
        CompletableFuture<Reply> second =
                a.call(B, "work").timeout(Duration.ofSeconds(10)).request(new byte[] {2});
        TetherNode b = start(B, A, HandlerOptions.defaults());
        expiresWithItsCancelKept(b, first, second);
    }

    @Test
    void aCallExpiredInTheWindowOfAConcurrentHandlerLeavesNoCancel() throws Exception {
        TetherNode b = start(B, A, HandlerOptions.defaults().on(oneThread).concurrent(2));
        TetherNode a = start(A, B, HandlerOptions.defaults());
        CompletableFuture<Reply> first =
                a.call(B, "work").timeout(Duration.ofHours(1)).request(new byte[] {1});
        assertThat(firstStarted.await(WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
        CompletableFuture<Reply> second =
                a.call(B, "work").timeout(Duration.ofSeconds(10)).request(new byte[] {2});
        expiresWithItsCancelKept(b, first, second);
    }

    /** Call 2, waiting at b behind call 1, is cancelled (b keeps the cancel), expires, and call 1 is let go. */
    private void expiresWithItsCancelKept(
            TetherNode node, CompletableFuture<Reply> first, CompletableFuture<Reply> second) throws Exception {
        CallLayer b = ((RealTetherNode) node).calls();
        assertThat(firstStarted.await(WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
        afterTurnWhen(node, () -> inFlight(node) == 2, "call 2 at b");
        assertThat(second.cancel(true)).isTrue();
        // Kept by the call layer if call 2 was handed out (in call 1's run or window); else the engine settled it
        afterTurnWhen(
                node, () -> b.entries().get("cancels") == 1 || inFlight(node) < 2, "b taking the cancel of call 2");
        assertThat(b.entries().get("cancels"))
                .as("the cancel kept: call 2 was handed out; b %s; a %s", node.stats(), second)
                .isEqualTo(1);
        skipped.addAndGet(Duration.ofMinutes(1).toMillis()); // call 2 runs out of time, call 1 does not
        releaseFirst.countDown();
        assertThat(first.get(WAIT_SECONDS, TimeUnit.SECONDS).payloadBytes()).containsExactly(1);
        assertThat(expiredAtB.await(WAIT_SECONDS, TimeUnit.SECONDS)).isTrue(); // after the run dropped what it keeps
        assertThat(b.entries()).containsEntry("cancels", 0);
    }

    /** Node {@code id} with peer {@code peer} and handler "work" on {@code options}, which holds call 1. */
    private TetherNode start(NodeId id, NodeId peer, HandlerOptions options) {
        TetherNode n = Tether.start(TetherConfig.builder(id)
                .peers(peer)
                .transport(network.newTransport())
                .store(new InMemoryStore())
                .durability(Durability.MEMORY)
                .clock(clock())
                // No retransmission while the test runs: one that rewinds a's stream when its cancel takes effect
                // sends the cancel as a marker in place of call 2, which b, holding call 2 already, drops as a
                // duplicate (cancellation is best effort), and b never hears of it.
                .retransmitTimeout(Duration.ofMinutes(5), Duration.ofMinutes(10))
                .listener(e -> {
                    if (e instanceof TetherEvent.Expired) expiredAtB.countDown();
                })
                .handler(d -> {})
                .build());
        nodes.add(n);
        n.handle("work", options, call -> {
            if (call.payloadBytes()[0] == 1) {
                firstStarted.countDown();
                // held longer than the test's waits, which then fail first, with their reason
                if (!releaseFirst.await(2 * WAIT_SECONDS, TimeUnit.SECONDS)) throw new IllegalStateException("held");
            }
            return call.payloadBytes();
        });
        return n;
    }

    /** The messages of a that {@code node} holds unsettled (buffered, or handed out). */
    private static long inFlight(TetherNode node) {
        long n = 0;
        for (StreamStats s : node.stats().streams()) {
            if (s.direction() == StreamStats.Direction.INBOUND && s.peer().equals(A)) n += s.inFlight();
        }
        return n;
    }

    /** The test's clock: real time plus what the test added. */
    private Clock clock() {
        return new Clock() {
            @Override
            public ZoneId getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                return Instant.ofEpochMilli(millis());
            }

            @Override
            public long millis() {
                return System.currentTimeMillis() + skipped.get();
            }
        };
    }

    /**
     * Waits for {@code condition} on {@code node}'s thread state, which nobody signals: it is checked on the node
     * thread at the end of each of its turns ({@code NodeOperations.afterTurnWhen}).
     */
    private static void afterTurnWhen(TetherNode node, BooleanSupplier condition, String what) throws Exception {
        CompletableFuture<Void> held =
                ((RealTetherNode) node).runtime().operations().afterTurnWhen(condition);
        try {
            held.get(WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            held.cancel(false); // the node's next turn stops checking
            throw new AssertionError(
                    "timed out after " + WAIT_SECONDS + " s waiting for " + what + "; " + node.stats());
        }
    }
}
