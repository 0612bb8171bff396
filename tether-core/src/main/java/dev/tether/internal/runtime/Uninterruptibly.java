package dev.tether.internal.runtime;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * Waits that an interrupt does not cut short, for the steps that must finish: closing a node. Shutdown is often
 * called from an interrupted thread (a task of an executor stopped with {@code shutdownNow}, a cancelled worker, a
 * container's shutdown hook). Were its waits to give up on the interrupt, the node would return from {@code close}
 * with its loop, its store writer and its store still running, the store's lock still held. So these waits run to
 * their own deadline, and the interrupt is not lost: the flag is set again when the wait ends, for the caller to
 * see.
 */
final class Uninterruptibly {
    private Uninterruptibly() {}

    /**
     * Runs {@code body} with the interrupt flag cleared, so that nothing inside it (a transport's or a store's
     * close, too) gives up early; sets the flag again afterwards if it was set before or got set meanwhile.
     */
    static <T> T call(Supplier<T> body) {
        boolean interrupted = Thread.interrupted();
        try {
            return body.get();
        } finally {
            if (Thread.interrupted() || interrupted) Thread.currentThread().interrupt();
        }
    }

    /** {@link #call} for a body without a result. */
    static void run(Runnable body) {
        call(() -> {
            body.run();
            return null;
        });
    }

    /** Waits for {@code f} until {@code deadlineNanos} ({@link System#nanoTime}); true if it completed normally. */
    static boolean await(CompletableFuture<?> f, long deadlineNanos) {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    f.get(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
                    return true;
                } catch (TimeoutException | ExecutionException e) {
                    return false; // not ended in time, or ended by a failure: either way not a clean end
                } catch (InterruptedException e) {
                    interrupted = true; // the flag is clear now: the next round waits for real
                }
            }
        } finally {
            if (interrupted) Thread.currentThread().interrupt();
        }
    }

    /** Waits up to {@code millis} for {@code executor} to terminate; true if it did. */
    static boolean awaitTermination(ExecutorService executor, long millis) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return executor.awaitTermination(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        } finally {
            if (interrupted) Thread.currentThread().interrupt();
        }
    }
}
