package dev.tether.internal.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.internal.engine.InboundMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The handler threads' queue of runs by level: weighted, FIFO within a level, and usable by a thread pool. */
class RunQueueTest {
    private static RunQueue.Leveled run(List<String> order, String name, int level) {
        return new RunQueue.Leveled(level, () -> order.add(name));
    }

    @Test
    void runsAreTakenByLevelWeightedAndInOrderWithinALevel() {
        RunQueue q = new RunQueue();
        List<String> order = new ArrayList<>();
        for (int i = 0; i < 300; i++) q.offer(run(order, "f" + i, 0));
        for (int i = 0; i < 5; i++) q.offer(run(order, "a" + i, 7));
        q.offer(() -> order.add("plain")); // not leveled: the default level 4
        assertThat(q.size()).isEqualTo(306);
        for (Runnable r = q.poll(); r != null; r = q.poll()) r.run();
        // stride scheduling from equal passes: level 7 first (tie), then level 4 and 0 once (their passes are
        // lowest), then level 7 until its pass catches up; level 0 never waits more than its bound
        assertThat(order.subList(0, 8)).containsExactly("a0", "plain", "f0", "a1", "a2", "a3", "a4", "f1");
        assertThat(order.stream().filter(s -> s.startsWith("f")))
                .as("FIFO within level 0")
                .isSortedAccordingTo(
                        (x, y) -> Integer.compare(Integer.parseInt(x.substring(1)), Integer.parseInt(y.substring(1))));
    }

    @Test
    void aPoolOfOneThreadRunsAHighRunAheadOfAQueuedFlood() throws Exception {
        RunQueue q = new RunQueue();
        ThreadPoolExecutor pool = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, q);
        try {
            CountDownLatch blocked = new CountDownLatch(1), release = new CountDownLatch(1);
            pool.execute(() -> {
                blocked.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            blocked.await();
            List<String> order = new CopyOnWriteArrayList<>();
            CountDownLatch ran = new CountDownLatch(101);
            for (int i = 0; i < 100; i++) pool.execute(counted(ran, run(order, "f" + i, 0)));
            pool.execute(counted(ran, run(order, "alert", 7)));
            release.countDown();
            assertThat(ran.await(30, TimeUnit.SECONDS)).as("ran " + order).isTrue();
            assertThat(order.indexOf("alert"))
                    .as("position of the level-7 run among 101")
                    .isZero();
        } finally {
            pool.shutdownNow();
        }
    }

    private static RunQueue.Leveled counted(CountDownLatch ran, RunQueue.Leveled r) {
        return new RunQueue.Leveled(r.level, () -> {
            r.run();
            ran.countDown();
        });
    }

    @Test
    void aRunsLevelIsTheHighestOfItsMessagesFromTheNextOn() {
        List<InboundMessage> run = List.of(
                message(1, Map.of()),
                message(2, Map.of(":p", "6")),
                message(3, Map.of(":p", "0")),
                message(4, Map.of(":p", "x")));
        assertThat(RunQueue.levelOf(run, 0)).isEqualTo(6);
        assertThat(RunQueue.levelOf(run, 2)).isEqualTo(4); // "x" counts as the default
        assertThat(RunQueue.levelOf(List.of(message(1, Map.of(":p", "1"))), 0)).isEqualTo(1);
    }

    private static InboundMessage message(long seq, Map<String, String> headers) {
        return new InboundMessage(seq, 0, headers, new byte[0], false, 1, 1);
    }
}
