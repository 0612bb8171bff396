package dev.tether.internal.call;

import dev.tether.HandlerNames;
import dev.tether.HandlerOptions;
import dev.tether.NodeClosedException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

/**
 * The node's named handlers, by name. Lookups come from any thread (routing runs on the thread carrying a stream's
 * run); registration and removal from application threads. A registration announces itself to {@code
 * onRegistered}, which wakes calls waiting for that name.
 */
final class HandlerRegistry {
    private final ConcurrentHashMap<String, RegisteredHandler> byName = new ConcurrentHashMap<>();
    private final Executor handlerThreads;
    private final Consumer<String> onRegistered;
    private volatile boolean closed;

    /**
     * @param handlerThreads the node's handler pool ({@link HandlerOptions.Placement#HANDLER_THREADS})
     * @param onRegistered told each newly registered name, after it can be found
     */
    HandlerRegistry(Executor handlerThreads, Consumer<String> onRegistered) {
        this.handlerThreads = handlerThreads;
        this.onRegistered = onRegistered;
    }

    /** Registers exactly one of {@code sync} and {@code async} under {@code name}. */
    RegisteredHandler register(
            String name,
            HandlerOptions options,
            Callee callee,
            dev.tether.Handler sync,
            dev.tether.AsyncHandler async) {
        HandlerNames.requireApplicationName(name);
        if (closed) throw new NodeClosedException("node is shut down; handler '" + name + "' not registered");
        RegisteredHandler h = new RegisteredHandler(name, sync, async, executorFor(options), this, callee);
        RegisteredHandler before = byName.putIfAbsent(name, h);
        if (before != null) {
            throw new IllegalStateException(
                    "a handler named '" + name + "' is already registered; close its" + " Registration first");
        }
        onRegistered.accept(name);
        return h;
    }

    private Executor executorFor(HandlerOptions options) {
        return switch (options.placement()) {
            case HANDLER_THREADS -> handlerThreads;
            case NODE_THREAD -> null;
            case EXECUTOR -> options.executor();
        };
    }

    /** The handler registered under {@code name}, or null. */
    RegisteredHandler find(String name) {
        return byName.get(name);
    }

    void removed(RegisteredHandler h) {
        byName.remove(h.name, h);
    }

    int size() {
        return byName.size();
    }

    boolean isClosed() {
        return closed;
    }

    /** The node shuts down: no more registrations. */
    void close() {
        closed = true;
    }
}
