package dev.tether.scenarios;

import static dev.tether.scenarios.Cluster.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.ChannelRole;
import dev.tether.Delivery;
import dev.tether.NodeClosedException;
import dev.tether.NodeId;
import dev.tether.TetherNode;
import dev.tether.testkit.Await;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * What a thread is blocked in, or waits for, when another thread shuts the node down must end: {@code shutdown}
 * "stops accepting sends and pulls at once" (TetherNode). A {@code receive(timeout)} already waiting is not woken: it
 * waits out its whole timeout (a pull loop with a long timeout keeps its thread, and the application's own shutdown,
 * for that long) and then returns null, as if no message had come, on a node that is closed. Calls, joins and
 * publishes racing the shutdown are answered (the control: their futures complete).
 */
class ShutdownUnblocksTest {
    private static final NodeId B = NodeId.of("b");
    private static final Duration DEADLINE = Duration.ofSeconds(10);

    private final long seed = Long.getLong("tether.seed", System.nanoTime());

    @Test
    void aReceiveWaitingWhenTheNodeShutsDownEndsWithTheShutdown() throws Exception {
        try (Cluster c = new Cluster("a", "b")) {
            TetherNode b = c.startPull("b");
            c.start("a");
            AtomicReference<Object> outcome = new AtomicReference<>();
            CountDownLatch entered = new CountDownLatch(1);
            Thread puller = new Thread(
                    () -> {
                        entered.countDown();
                        try {
                            Delivery d = b.receive(Duration.ofMinutes(10));
                            outcome.set(d == null ? "null" : d);
                        } catch (NodeClosedException | InterruptedException e) {
                            outcome.set(e);
                        }
                    },
                    "puller");
            puller.setDaemon(true);
            puller.start();
            assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
            Await.until(
                    DEADLINE,
                    () -> puller.getState() == Thread.State.TIMED_WAITING,
                    () -> "puller waiting in receive: " + puller.getState());
            b.shutdown(Duration.ZERO);
            Await.until(
                    DEADLINE,
                    () -> outcome.get() != null,
                    () -> "receive(10 min) still waiting " + DEADLINE + " after shutdown returned: "
                            + puller.getState());
            assertThat(outcome.get()).isInstanceOf(NodeClosedException.class);
        }
    }

    /** Control: calls, joins and publishes racing shutdown all complete (seeded: when the shutdown comes). */
    @Test
    void callsJoinsAndPublishesRacingShutdownAreAllAnswered() throws Exception {
        System.out.println("ShutdownUnblocksTest seed=" + seed + " (replay with -Dtether.seed=" + seed + ")");
        Random random = new Random(seed);
        for (int round = 0; round < 10; round++) {
            int after = random.nextInt(200);
            try (Cluster c = new Cluster("a", "b")) {
                TetherNode b = c.start("b");
                b.handle("h", call -> call.payloadBytes());
                TetherNode a = c.start("a");
                CompletableFuture.allOf(b.join("news", ChannelRole.READ_WRITE), a.join("news", ChannelRole.READ_WRITE))
                        .get(10, TimeUnit.SECONDS);
                a.awaitHandler(B, "h", DEADLINE).get(10, TimeUnit.SECONDS);
                List<CompletableFuture<?>> futures = new ArrayList<>();
                for (int i = 0; ; i++) {
                    if (i == after) CompletableFuture.runAsync(() -> a.shutdown(Duration.ZERO));
                    try {
                        futures.add(a.call(B, "h").request(utf8("r" + i)));
                        futures.add(a.call(B, "h").sync(utf8("s" + i)));
                        futures.add(a.publish("news", utf8("p" + i)));
                        futures.add(a.join("other-" + (i % 4), ChannelRole.READ));
                    } catch (NodeClosedException closed) {
                        break;
                    }
                }
                String what = "round " + round + ", shutdown after " + after + ", seed " + seed;
                Await.until(
                        DEADLINE,
                        () -> futures.stream().allMatch(CompletableFuture::isDone),
                        () -> futures.stream().filter(f -> !f.isDone()).count() + " of " + futures.size()
                                + " never completed, " + what);
                for (CompletableFuture<?> f : futures) {
                    try {
                        f.getNow(null);
                    } catch (java.util.concurrent.CompletionException e) {
                        assertThat(e.getCause()).as(what).isInstanceOf(NodeClosedException.class);
                    }
                }
            }
        }
    }
}
