package dev.tether.bench.measure;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The per-thread sleeps the network bench prints per round trip, on a thread that blocks {@value #SLEEPS} times in
 * the kernel: each a timed wait for a latch nobody counts down, so each is one voluntary context switch (a hand-off
 * seen waiting may be woken before it has slept, so hand-offs are no exact count).
 */
class ThreadSwitchesTest {
    private static final int SLEEPS = 50;

    @Test
    void aThreadThatSleepsNTimesShowsOneSleepEach() throws Exception {
        CountDownLatch go = new CountDownLatch(1);
        CountDownLatch never = new CountDownLatch(1);
        CountDownLatch slept = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Thread probe = new Thread(
                () -> {
                    try {
                        go.await();
                        for (int i = 0; i < SLEEPS; i++) {
                            if (never.await(1, TimeUnit.MILLISECONDS)) throw new AssertionError("counted down");
                        }
                        slept.countDown();
                        release.await(); // alive until measured: an ended thread is gone from /proc
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                },
                "switch-probe");
        probe.start();
        try {
            awaitWaiting(probe);
            ThreadSwitches before = ThreadSwitches.now();
            go.countDown();
            assertThat(slept.await(30, TimeUnit.SECONDS)).as("the probe slept").isTrue();
            awaitWaiting(probe); // parked on release
            List<String> lines = ThreadSwitches.now().perRoundTrip(before, SLEEPS);

            String line = lines.stream()
                    .filter(l -> l.contains(": switch-probe"))
                    .findFirst()
                    .orElseThrow(() -> new AssertionError("no switch-probe line in " + lines));
            double sleeps = Double.parseDouble(line.replaceAll(".*sleeps\\s+([0-9.]+).*", "$1"));
            // one per timed wait, give or take the go and release latches' own (2 of 50 = 0.04)
            assertThat(sleeps).as(line).isBetween(0.9, 1.3);
            assertThat(lines.get(lines.size() - 1)).startsWith("all threads: sleeps ");
        } finally {
            release.countDown();
            probe.join(10_000);
        }
    }

    private static void awaitWaiting(Thread t) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (t.getState() != Thread.State.WAITING) {
            if (System.nanoTime() > deadline) throw new AssertionError(t.getName() + " never waited: " + t.getState());
            Thread.onSpinWait();
        }
    }
}
