package dev.tether.internal.bus;

import dev.tether.NodeClosedException;
import dev.tether.internal.engine.Effect;
import dev.tether.internal.runtime.NodeRuntime;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;

/**
 * A key write of the bus layer (a routing rule, a durable endpoint name) through the engine's key writes ({@code
 * Engine.writeKeys}), waited for until it is durable: the caller's change must not be reported done before the store
 * has it. Never from the node thread, which the wait needs.
 */
final class StoredKeys {
    private StoredKeys() {}

    /**
     * Writes {@code e} and returns once it is durable; {@code what} names the change in errors.
     *
     * @throws IllegalStateException on the node thread
     * @throws NodeClosedException if the node is shut down, or shuts down ({@code stopped}) before the write is
     *     durable
     */
    static void write(NodeRuntime runtime, BooleanSupplier stopped, Effect e, String what) {
        if (runtime.onNodeThread()) {
            throw new IllegalStateException(
                    what + " cannot be changed on the node thread: the change waits for the store");
        }
        CompletableFuture<Void> durable = new CompletableFuture<>();
        try {
            runtime.post(now -> runtime.writeKeys(List.of(e), () -> durable.complete(null)));
        } catch (RuntimeException closed) {
            throw new NodeClosedException("node " + runtime.id() + " is shut down; " + what + " not changed");
        }
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    durable.get(100, TimeUnit.MILLISECONDS);
                    return;
                } catch (TimeoutException t) {
                    if (stopped.getAsBoolean()) {
                        throw new NodeClosedException(
                                "node " + runtime.id() + " shut down before " + what + " was stored");
                    }
                } catch (InterruptedException i) {
                    interrupted = true; // the change is on its way: finish it, then restore the flag
                } catch (ExecutionException x) {
                    throw new IllegalStateException(x.getCause());
                }
            }
        } finally {
            if (interrupted) Thread.currentThread().interrupt();
        }
    }
}
