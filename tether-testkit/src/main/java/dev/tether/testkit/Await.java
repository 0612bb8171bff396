package dev.tether.testkit;

import dev.tether.NodeClosedException;
import dev.tether.NodeId;
import dev.tether.TetherNode;
import dev.tether.fixtures.Poll;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Waits for a condition in tests: polls it with a deadline instead of sleeping for a guessed time. The build
 * forbids {@code Thread.sleep} and bare {@code LockSupport.park*} in tests (docs/TESTING.md, "Build checks"):
 * waits go through here. Thread-safe.
 */
public final class Await {
    private static final Duration POLL_INTERVAL = Duration.ofMillis(1);

    private Await() {}

    /**
     * Polls {@code condition} about every millisecond until it holds.
     *
     * @throws AssertionError naming {@code description} if it does not hold within {@code timeout}, or if the
     *     thread is interrupted (the interrupt flag is kept)
     */
    public static void until(Duration timeout, BooleanSupplier condition, Supplier<String> description) {
        if (Poll.until(timeout, POLL_INTERVAL, condition)) return;
        if (Thread.currentThread().isInterrupted()) {
            throw new AssertionError("interrupted while waiting for " + description.get());
        }
        throw new AssertionError("timed out after " + timeout + " waiting for " + description.get());
    }

    /**
     * Sends a small message from {@code node} to {@code to} about every millisecond until the node refuses it with
     * {@link NodeClosedException} (it closed, or closed itself), and returns that refusal.
     *
     * @throws AssertionError naming {@code description} if it still takes sends after {@code timeout}
     */
    public static NodeClosedException untilClosedForSends(
            Duration timeout, TetherNode node, NodeId to, String description) {
        AtomicReference<NodeClosedException> refused = new AtomicReference<>();
        until(
                timeout,
                () -> {
                    try {
                        node.send(to, "later".getBytes(StandardCharsets.UTF_8));
                        return false;
                    } catch (NodeClosedException closed) {
                        refused.set(closed);
                        return true;
                    }
                },
                () -> description);
        return refused.get();
    }

    /**
     * Blocks the calling thread until the process ends: for the main thread of a child JVM that has done its
     * work and waits to be killed. Returns only if the thread is interrupted (the interrupt flag is kept).
     */
    public static void untilKilled() {
        try {
            new CountDownLatch(1).await(); // counted down by nobody
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
