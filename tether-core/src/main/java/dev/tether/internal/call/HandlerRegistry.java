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
    private final Runnable onChanged;
    private volatile boolean closed;

    /**
     * @param handlerThreads the node's handler pool ({@link HandlerOptions.Placement#HANDLER_THREADS})
     * @param onRegistered told each newly registered name, after it can be found
     * @param onChanged told after each registration and removal (the node advertises its handlers)
     */
    HandlerRegistry(Executor handlerThreads, Consumer<String> onRegistered, Runnable onChanged) {
        this.handlerThreads = handlerThreads;
        this.onRegistered = onRegistered;
        this.onChanged = onChanged;
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
        RegisteredHandler h =
                new RegisteredHandler(name, sync, async, executorFor(options), options.concurrency(), this, callee);
        synchronized (this) { // the bound holds against concurrent registrations
            if (byName.size() >= HandlerNames.MAX_PER_NODE && !byName.containsKey(name)) {
                throw new IllegalStateException("node has " + byName.size() + " handlers, the most a node may have"
                        + " (HandlerNames.MAX_PER_NODE); handler '" + name + "' not registered");
            }
            RegisteredHandler before = byName.putIfAbsent(name, h);
            if (before != null) {
                throw new IllegalStateException(
                        "a handler named '" + name + "' is already registered; close its" + " Registration first");
            }
        }
        onRegistered.accept(name);
        onChanged.run();
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
        if (byName.remove(h.name, h)) onChanged.run();
    }

    /** The registered names, sorted. */
    java.util.List<String> names() {
        java.util.List<String> l = new java.util.ArrayList<>(byName.keySet());
        l.sort(null);
        return l;
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
