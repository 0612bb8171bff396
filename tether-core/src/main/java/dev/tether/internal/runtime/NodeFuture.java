package dev.tether.internal.runtime;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;

/**
 * A future the node thread completes. Waiting for it on the node thread itself (from a listener or a handler
 * running there) could never end, so {@link #get}, {@link #join} and their variants throw instead when the
 * future is not yet done. Futures derived from it ({@code thenApply}, ...) carry the same guard.
 */
public final class NodeFuture<T> extends CompletableFuture<T> {
    private final BooleanSupplier onNodeThread;

    public NodeFuture(BooleanSupplier onNodeThread) {
        this.onNodeThread = onNodeThread;
    }

    @Override
    public <U> CompletableFuture<U> newIncompleteFuture() {
        return new NodeFuture<>(onNodeThread);
    }

    @Override
    public T get() throws InterruptedException, ExecutionException {
        refuseOnNodeThread();
        return super.get();
    }

    @Override
    public T get(long timeout, TimeUnit unit) throws InterruptedException, ExecutionException, TimeoutException {
        refuseOnNodeThread();
        return super.get(timeout, unit);
    }

    @Override
    public T join() {
        refuseOnNodeThread();
        return super.join();
    }

    private void refuseOnNodeThread() {
        if (!isDone() && onNodeThread.getAsBoolean()) {
            throw new IllegalStateException(
                    "waiting on the node thread for a future only the node thread can complete"
                            + " would never end; attach a callback (thenAccept) instead, or run the handler on handler threads");
        }
    }
}
