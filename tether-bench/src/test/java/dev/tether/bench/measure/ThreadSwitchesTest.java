package dev.tether.bench.measure;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The per-thread sleeps the network bench prints per round trip, on a thread that is handed work {@value #HANDOFFS}
 * times, each time only once it is seen waiting for it: every hand-off wakes it from a sleep, as in a round trip.
 */
class ThreadSwitchesTest {
    private static final int HANDOFFS = 50;

    @Test
    void aThreadWokenNTimesShowsOneSleepPerHandOff() throws Exception {
        LinkedBlockingQueue<Integer> work = new LinkedBlockingQueue<>();
        CountDownLatch taken = new CountDownLatch(HANDOFFS);
        CountDownLatch release = new CountDownLatch(1);
        Thread probe = new Thread(
                () -> {
                    try {
                        for (int i = 0; i < HANDOFFS; i++) {
                            work.take();
                            taken.countDown();
                        }
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
            for (int i = 0; i < HANDOFFS; i++) {
                awaitWaiting(probe); // parked in take(): this hand-off wakes it
                work.add(i);
                awaitCount(taken, HANDOFFS - i - 1);
            }
            awaitWaiting(probe); // parked on release: its last sleep is in
            List<String> lines = ThreadSwitches.now().perRoundTrip(before, HANDOFFS);

            String line = lines.stream()
                    .filter(l -> l.contains(": switch-probe"))
                    .findFirst()
                    .orElseThrow(() -> new AssertionError("no switch-probe line in " + lines));
            double sleeps = Double.parseDouble(line.replaceAll(".*sleeps\\s+([0-9.]+).*", "$1"));
            // one per hand-off (fewer if an unpark beat the park it was seen entering), one on the latch
            assertThat(sleeps).as(line).isBetween(0.8, 1.2);
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

    private static void awaitCount(CountDownLatch l, long count) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (l.getCount() > count) {
            if (System.nanoTime() > deadline) throw new AssertionError("count stayed at " + l.getCount());
            Thread.onSpinWait();
        }
    }
}
