package dev.tether;

import java.util.Objects;
import java.util.concurrent.Executor;

/**
 * Where and how a named handler runs. Immutable: each method returns a new value. {@link #defaults()}: ordered,
 * on the node's handler threads.
 *
 * <p><b>Ordering.</b> Calls arriving on one stream (one caller, one lane) are handed to the handler one at a time,
 * in order: the next starts when the previous one returned (for an {@link AsyncHandler}, when its stage completed).
 * Calls on different streams run concurrently. {@link #concurrent(int)} lets up to a limit of calls of one stream
 * run at once and complete out of order (docs/MESSAGING.md, "Concurrent handlers").
 *
 * <p><b>Placement.</b> {@link #onHandlerThreads()} (default): the node's pool of {@code handlerThreads}, which may
 * block. {@link #onNodeThread()}: the node thread itself, which saves two thread hand-offs per call but stalls every
 * stream of the node while the handler runs: for short, non-blocking handlers (or asynchronous ones that only
 * start work). {@link #on(Executor)}: an executor of the application's, which must run each task it accepts.
 */
public final class HandlerOptions {
    /** Where a handler runs. */
    public enum Placement {
        /** The node's handler threads. */
        HANDLER_THREADS,
        /** The node thread. */
        NODE_THREAD,
        /** An executor given with {@link HandlerOptions#on(Executor)}. */
        EXECUTOR
    }

    /** The highest limit {@link #concurrent(int)} takes. */
    public static final int MAX_CONCURRENCY = 256;

    private static final HandlerOptions DEFAULTS = new HandlerOptions(Placement.HANDLER_THREADS, null, 1);

    private final Placement placement;
    private final Executor executor;
    private final int concurrency;

    private HandlerOptions(Placement placement, Executor executor, int concurrency) {
        this.placement = placement;
        this.executor = executor;
        this.concurrency = concurrency;
    }

    /** Ordered per stream, on the node's handler threads. */
    public static HandlerOptions defaults() {
        return DEFAULTS;
    }

    /** Runs the handler on the node's handler threads (the default). */
    public HandlerOptions onHandlerThreads() {
        return new HandlerOptions(Placement.HANDLER_THREADS, null, concurrency);
    }

    /** Runs the handler on the node thread; it must not block. */
    public HandlerOptions onNodeThread() {
        return new HandlerOptions(Placement.NODE_THREAD, null, concurrency);
    }

    /**
     * Runs the handler on {@code executor}. A task the executor rejects is treated as a failure of the handler.
     */
    public HandlerOptions on(Executor executor) {
        return new HandlerOptions(Placement.EXECUTOR, Objects.requireNonNull(executor, "executor"), concurrency);
    }

    /** Calls of one stream one at a time, in order (the default). */
    public HandlerOptions ordered() {
        return new HandlerOptions(placement, executor, 1);
    }

    /**
     * Up to {@code limit} calls of one stream run at once, started in stream order and completing in any order; the
     * stream's cursor advances over the calls completed without a gap, and a call that completes ahead of an earlier
     * one has its reply sent and its completion stored at once, so a crash runs again exactly the calls that had not
     * completed (docs/MESSAGING.md, "Concurrent handlers"). {@code concurrent(1)} is {@link #ordered()}.
     *
     * @throws IllegalArgumentException if {@code limit} is below 1 or above {@link #MAX_CONCURRENCY}
     */
    public HandlerOptions concurrent(int limit) {
        if (limit < 1 || limit > MAX_CONCURRENCY) {
            throw new IllegalArgumentException("concurrency limit must be 1 to " + MAX_CONCURRENCY + ", was " + limit);
        }
        return new HandlerOptions(placement, executor, limit);
    }

    /** How many calls of one stream may run at once: 1 when {@link #ordered()}. */
    public int concurrency() {
        return concurrency;
    }

    /** Where the handler runs. */
    public Placement placement() {
        return placement;
    }

    /** The executor given with {@link #on(Executor)}, or null for the other placements. */
    public Executor executor() {
        return executor;
    }

    @Override
    public String toString() {
        return "HandlerOptions[" + (concurrency == 1 ? "ordered" : "concurrent " + concurrency) + ", "
                + (executor == null ? placement : "executor " + executor) + "]";
    }
}
