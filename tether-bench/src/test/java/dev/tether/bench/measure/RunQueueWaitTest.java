package dev.tether.bench.measure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The scheduler's accounting per thread group, from /proc/self/task. */
class RunQueueWaitTest {
    @Test
    void threadsAreGroupedByNameWithoutTrailingDigits() {
        assertThat(RunQueueWait.group("pool-1-thread-12")).isEqualTo("pool-1-thread-");
        assertThat(RunQueueWait.group("tether-memory-b")).isEqualTo("tether-memory-b");
        assertThat(RunQueueWait.group("GC Thread#0")).isEqualTo("GC Thread#");
    }

    @Test
    void aThreadThatSpinsIsCountedInItsGroupAndOneNotLiveBeforeIsNot() throws Exception {
        assumeTrue(Files.exists(Path.of("/proc/self/task")), "no /proc");
        CountDownLatch go = new CountDownLatch(1), spun = new CountDownLatch(1), end = new CountDownLatch(1);
        Thread spinner = new Thread(
                () -> {
                    try {
                        go.await();
                        ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
                        long until = cpu.getCurrentThreadCpuTime() + 30_000_000; // 30 ms on a CPU
                        long x = 0;
                        while (cpu.getCurrentThreadCpuTime() < until) x += System.nanoTime() & 1;
                        if (x < 0) throw new AssertionError();
                        spun.countDown();
                        end.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                },
                "spinner-7");
        RunQueueWait before = RunQueueWait.now();
        spinner.start();
        RunQueueWait started = RunQueueWait.now();
        Map<String, long[]> none = started.since(before);
        go.countDown();
        assertThat(spun.await(30, TimeUnit.SECONDS)).isTrue();
        Map<String, long[]> d = RunQueueWait.now().since(started);
        end.countDown();
        spinner.join();

        assertThat(none).doesNotContainKey("spinner-"); // not live in the first snapshot
        assertThat(d).containsKey("spinner-");
        assertThat(d.get("spinner-")[0]).isGreaterThanOrEqualTo(25_000_000L); // it ran its 30 ms
        assertThat(d.get("spinner-")[1]).isNotNegative();
    }
}
