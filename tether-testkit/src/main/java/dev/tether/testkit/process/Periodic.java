package dev.tether.testkit.process;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Runs a task at a fixed rate on a daemon thread of its own, which ends with the JVM: progress lines and
 * samplers of child-JVM workloads. A task that throws is not run again (as with any scheduled executor).
 */
public final class Periodic {
    private Periodic() {}

    /** Starts running {@code task} now and then every {@code period}; shut the returned executor down to stop. */
    public static ScheduledExecutorService every(Duration period, String threadName, Runnable task) {
        ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, threadName);
            t.setDaemon(true);
            return t;
        });
        executor.scheduleAtFixedRate(task, 0, period.toNanos(), TimeUnit.NANOSECONDS);
        return executor;
    }
}
