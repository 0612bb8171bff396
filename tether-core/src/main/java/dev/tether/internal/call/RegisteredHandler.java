package dev.tether.internal.call;

import dev.tether.AsyncHandler;
import dev.tether.Handler;
import dev.tether.Registration;
import dev.tether.internal.runtime.MessageConsumer;
import dev.tether.internal.runtime.RoutedDelivery;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A handler in the registry, and the consumer its calls are routed to. Exactly one of {@link #sync} and {@link
 * #async} is set.
 *
 * <p>Removal is exact: {@link #close()} marks it closed and then waits for the few calls that passed {@link
 * #enter()} but have not yet reached the handler ({@link #begin()}), a window of a few instructions that never
 * includes the handler's own work. After {@code close} returns, no call reaches the handler; calls already in it
 * finish.
 */
final class RegisteredHandler implements MessageConsumer, Registration {
    private static final int CLOSED = 1 << 30;

    final String name;
    final Handler sync;
    final AsyncHandler async;
    private final Executor executor;
    private final int concurrency;
    private final HandlerRegistry registry;
    private final Callee callee;
    /** {@link #CLOSED} flag plus the number of calls between {@link #enter()} and {@link #begin()}. */
    private final AtomicInteger state = new AtomicInteger();

    RegisteredHandler(
            String name,
            Handler sync,
            AsyncHandler async,
            Executor executor,
            int concurrency,
            HandlerRegistry registry,
            Callee callee) {
        this.name = name;
        this.sync = sync;
        this.async = async;
        this.executor = executor;
        this.concurrency = concurrency;
        this.registry = registry;
        this.callee = callee;
    }

    @Override
    public Executor executor() {
        return executor;
    }

    @Override
    public int concurrency() {
        return concurrency;
    }

    @Override
    public void consume(RoutedDelivery d) {
        callee.run(this, d);
    }

    @Override
    public void rejected(RoutedDelivery d, RejectedExecutionException e) {
        callee.rejected(this, d, e);
    }

    /** A call is about to be handed to the handler; false if the handler is closed. */
    boolean enter() {
        while (true) {
            int s = state.get();
            if ((s & CLOSED) != 0) return false;
            if (state.compareAndSet(s, s + 1)) return true;
        }
    }

    /** The call that {@link #enter()}ed is handed to the handler now. */
    void begin() {
        state.decrementAndGet();
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public boolean isActive() {
        return (state.get() & CLOSED) == 0 && !registry.isClosed();
    }

    @Override
    public void close() {
        int s = state.getAndUpdate(v -> v | CLOSED);
        if ((s & CLOSED) != 0) return;
        while ((state.get() & ~CLOSED) != 0) Thread.yield(); // a few instructions of another thread
        registry.removed(this);
    }

    @Override
    public String toString() {
        return "Registration[" + name + (isActive() ? "" : ", closed") + "]";
    }
}
