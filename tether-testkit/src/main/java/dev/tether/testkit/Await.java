package dev.tether.testkit;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Waits for a condition in tests: polls it with a deadline instead of sleeping for a guessed time. Thread-safe. */
public final class Await {
    private static final long POLL_NANOS = 1_000_000;

    private Await() {}

    /**
     * Polls {@code condition} about every millisecond until it holds.
     *
     * @throws AssertionError naming {@code description} if it does not hold within {@code timeout}, or if the
     *     thread is interrupted (the interrupt flag is kept)
     */
    public static void until(Duration timeout, BooleanSupplier condition, Supplier<String> description) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline >= 0) {
                throw new AssertionError("timed out after " + timeout + " waiting for " + description.get());
            }
            if (Thread.currentThread().isInterrupted()) {
                throw new AssertionError("interrupted while waiting for " + description.get());
            }
            LockSupport.parkNanos(POLL_NANOS);
        }
    }
}
