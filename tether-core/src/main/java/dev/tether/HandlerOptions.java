package dev.tether;

import java.util.Objects;
import java.util.concurrent.Executor;

/**
 * Where and how a named handler runs. Immutable: each method returns a new value. {@link #defaults()}: ordered,
 * on the node's handler threads.
 *
 * <p><b>Ordering.</b> Calls arriving on one stream (one caller, one lane) are handed to the handler one at a time,
 * in order: the next starts when the previous one returned (for an {@link AsyncHandler}, when its stage completed).
 * Calls on different streams run concurrently. Running several calls of one stream at once (out of order, up to a
 * limit) is not offered yet.
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

    private static final HandlerOptions DEFAULTS = new HandlerOptions(Placement.HANDLER_THREADS, null);

    private final Placement placement;
    private final Executor executor;

    private HandlerOptions(Placement placement, Executor executor) {
        this.placement = placement;
        this.executor = executor;
    }

    /** Ordered per stream, on the node's handler threads. */
    public static HandlerOptions defaults() {
        return DEFAULTS;
    }

    /** Runs the handler on the node's handler threads (the default). */
    public HandlerOptions onHandlerThreads() {
        return new HandlerOptions(Placement.HANDLER_THREADS, null);
    }

    /** Runs the handler on the node thread; it must not block. */
    public HandlerOptions onNodeThread() {
        return new HandlerOptions(Placement.NODE_THREAD, null);
    }

    /**
     * Runs the handler on {@code executor}. A task the executor rejects is treated as a failure of the handler.
     */
    public HandlerOptions on(Executor executor) {
        return new HandlerOptions(Placement.EXECUTOR, Objects.requireNonNull(executor, "executor"));
    }

    /** Calls of one stream one at a time, in order (the default, and for now the only mode). */
    public HandlerOptions ordered() {
        return this;
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
        return "HandlerOptions[ordered, " + (executor == null ? placement : "executor " + executor) + "]";
    }
}
