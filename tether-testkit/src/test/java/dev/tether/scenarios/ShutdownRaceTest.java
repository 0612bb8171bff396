package dev.tether.scenarios;

import static dev.tether.scenarios.Cluster.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.EventHandle;
import dev.tether.NodeClosedException;
import dev.tether.NodeId;
import dev.tether.SendReceipt;
import dev.tether.TetherNode;
import dev.tether.node.TetherConfig;
import dev.tether.testkit.Await;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * Sends racing {@code shutdown}: every send either throws {@link NodeClosedException} at once or returns a
 * receipt whose futures complete, normally or with {@link NodeClosedException}; none is left hanging. Eight
 * threads send as fast as they can while another thread shuts the node down after a random number of sends.
 * The seed (printed) fixes those numbers; the interleaving is the machine's.
 */
class ShutdownRaceTest {
    private static final NodeId B = NodeId.of("b");
    private static final int SENDERS = 8;
    /** Rounds per test method; raise it with {@code -Dtether.shutdownRace.rounds=N} to hunt for the race longer. */
    private static final int ROUNDS = Integer.getInteger("tether.shutdownRace.rounds", 20);
    /** Sends per sender thread at most: enough to outlast the shutdown, few enough to check every receipt. */
    private static final int MAX_SENDS = 4_000;

    private static final Duration DEADLINE = Duration.ofSeconds(10);

    private final long seed = Long.getLong("tether.seed", System.nanoTime());

    @Test
    void sendsRacingShutdownAreAllAnsweredWithTheLoopOnItsOwnThread() throws Exception {
        race(cfg -> {}, "own thread");
    }

    @Test
    void sendsRacingShutdownAreAllAnsweredWithTheLoopHostedOnTheTransport() throws Exception {
        race(null, "hosted");
    }

    /**
     * Event and discovery calls racing {@code shutdown} (awaiting another node's event, triggering an own one, waiting
     * for a peer's handler): each throws {@link NodeClosedException} at once or returns a future that completes. A
     * call that passed the running check just before the node stopped used to post its work to a loop that had ended,
     * which dropped it, and the future never completed.
     */
    @Test
    void eventAndDiscoveryCallsRacingShutdownAreAllAnswered() throws Exception {
        System.out.println("ShutdownRaceTest (calls) seed=" + seed + " (replay with -Dtether.seed=" + seed + ")");
        Random random = new Random(seed);
        for (int round = 0; round < ROUNDS; round++) {
            int shutdownAfter = random.nextInt(400);
            try (Cluster c = new Cluster("a", "b")) {
                TetherNode a = c.start("a");
                EventHandle remote = c.start("b").createEvent();
                EventHandle own = a.createEvent();
                AtomicInteger n = new AtomicInteger();
                List<CompletableFuture<?>> futures = runCalls(
                        shutdownAfter, () -> a.shutdown(Duration.ZERO), () -> switch (n.getAndIncrement() % 3) {
                            case 0 -> a.await(remote);
                            case 1 -> a.trigger(own);
                            default -> a.awaitHandler(B, "h", Duration.ofMinutes(5));
                        });
                assertAllDone(
                        futures, "call of round " + round + ", shutdown after " + shutdownAfter + ", seed " + seed);
            }
        }
    }

    /**
     * {@value #SENDERS} threads making {@code call} until it throws {@link NodeClosedException} (at most {@value
     * #MAX_SENDS} each), and one more running {@code stop} once that many calls returned; what the calls returned.
     */
    private static <T> List<T> runCalls(int stopAfter, Runnable stop, java.util.function.Supplier<T> call)
            throws Exception {
        Queue<T> futures = new ConcurrentLinkedQueue<>();
        CountDownLatch go = new CountDownLatch(1);
        List<CompletableFuture<Void>> threads = new ArrayList<>();
        for (int t = 0; t < SENDERS; t++) {
            threads.add(CompletableFuture.runAsync(
                    () -> {
                        await(go);
                        for (int i = 0; i < MAX_SENDS; i++) {
                            try {
                                futures.add(call.get());
                            } catch (NodeClosedException closed) {
                                return;
                            }
                        }
                    },
                    ShutdownRaceTest::daemon));
        }
        CompletableFuture<Void> stopper = CompletableFuture.runAsync(
                () -> {
                    await(go);
                    while (futures.size() < stopAfter) Thread.onSpinWait();
                    stop.run();
                },
                ShutdownRaceTest::daemon);
        go.countDown();
        stopper.get();
        for (Future<Void> f : threads) f.get();
        return new ArrayList<>(futures);
    }

    /** {@code customize} null: the node loop runs on its transport's executor. */
    private void race(Consumer<TetherConfig.Builder> customize, String where) throws Exception {
        System.out.println(
                "ShutdownRaceTest (" + where + ") seed=" + seed + " (replay with -Dtether.seed=" + seed + ")");
        Random random = new Random(seed);
        for (int round = 0; round < ROUNDS; round++) {
            int shutdownAfter = random.nextInt(400);
            try (Cluster c = new Cluster("a", "b")) {
                if (customize == null) c.transports(id -> new HostingTransport(c.network.newTransport(), "host-" + id));
                TetherNode a = c.start("a", customize == null ? cfg -> {} : customize);
                List<SendReceipt> receipts = runRound(a, shutdownAfter);
                String context =
                        where + ", round " + round + ", shutdown after " + shutdownAfter + " sends, seed " + seed;
                assertAllAnswered(receipts, SendReceipt::accepted, "accepted() of " + context);
                assertAllAnswered(receipts, SendReceipt::processed, "processed() of " + context);
            }
        }
    }

    private static List<SendReceipt> runRound(TetherNode a, int shutdownAfter) throws Exception {
        return runCalls(shutdownAfter, () -> a.shutdown(Duration.ZERO), () -> a.send(B, utf8("m")));
    }

    private static void daemon(Runnable r) {
        Thread t = new Thread(r, "shutdown-race");
        t.setDaemon(true);
        t.start();
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static void assertAllDone(List<CompletableFuture<?>> futures, String what) {
        Await.until(
                DEADLINE,
                () -> futures.stream().allMatch(CompletableFuture::isDone),
                () -> futures.stream().filter(f -> !f.isDone()).count() + " of " + futures.size() + " " + what
                        + " never completed");
    }

    private static void assertAllAnswered(
            List<SendReceipt> receipts,
            java.util.function.Function<SendReceipt, CompletableFuture<?>> future,
            String what) {
        List<CompletableFuture<?>> futures =
                receipts.stream().<CompletableFuture<?>>map(future).toList();
        Await.until(
                DEADLINE,
                () -> futures.stream().allMatch(CompletableFuture::isDone),
                () -> futures.stream().filter(f -> !f.isDone()).count() + " of " + futures.size() + " " + what
                        + " never completed");
        for (CompletableFuture<?> f : futures) {
            Throwable failure = f.handle((v, e) -> e).getNow(null);
            if (failure != null) assertThat(failure).as(what).isInstanceOf(NodeClosedException.class);
        }
    }
}
