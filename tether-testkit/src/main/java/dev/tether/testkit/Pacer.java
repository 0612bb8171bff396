package dev.tether.testkit;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;

/**
 * Paces a load generator or a retry loop: {@link #awaitNext()} returns at most once per interval, on a fixed
 * schedule while the caller keeps up; a caller that falls behind is not let through in a burst to catch up,
 * its schedule restarts from now. Pacing is about time, not a condition, so this class is the one place
 * besides the polling loop behind {@link Await} where test code may park (docs/TESTING.md, "Build checks").
 * Not thread-safe: one pacer per thread.
 */
public final class Pacer {
    private final long intervalNanos;
    private long next;

    private Pacer(long intervalNanos) {
        this.intervalNanos = intervalNanos;
        this.next = System.nanoTime();
    }

    /** A pacer releasing {@code rate} calls per second; 0 or less: never waits. */
    public static Pacer perSecond(int rate) {
        return new Pacer(rate > 0 ? 1_000_000_000L / rate : 0);
    }

    /** A pacer releasing one call per {@code interval}, e.g. a retry loop's pause while its peer is away. */
    public static Pacer every(Duration interval) {
        return new Pacer(Math.max(0, interval.toNanos()));
    }

    /** Waits until this pacer's next slot; returns at once if the slot has passed or the pacer never waits. */
    public void awaitNext() {
        if (intervalNanos == 0) return;
        next += intervalNanos;
        long wait = next - System.nanoTime();
        if (wait > 0) {
            LockSupport.parkNanos(wait);
        } else {
            next = System.nanoTime(); // behind schedule: start afresh rather than burst to catch up
        }
    }
}
