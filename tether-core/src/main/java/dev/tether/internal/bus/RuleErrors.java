package dev.tether.internal.bus;

import dev.tether.TetherEvent;
import dev.tether.internal.engine.EventThrottle;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * The routing rules' errors on their way to the listener as {@link TetherEvent.RuleError}: told on the threads that
 * route, queued (at most {@link #MAX_QUEUED}; beyond that an error is only counted, the latest kept, and its count
 * goes into the next event's {@code suppressed} like the held-back ones), and reported at the end of each node turn
 * through a rate limit like protocol errors' (a burst of 10, then 2 per second, the next event saying how many were
 * held back): errors told = events + the sum of their {@code suppressed}. Thread-safe: {@link #accept} on any thread,
 * {@link #endOfTurn} on the node thread only.
 */
final class RuleErrors implements BiConsumer<String, String> {
    /** Most errors waiting for the node thread. */
    static final int MAX_QUEUED = 1_024;

    private record Error(String rule, String problem) {}

    private final ConcurrentLinkedQueue<Error> queued = new ConcurrentLinkedQueue<>();
    private final AtomicInteger size = new AtomicInteger();
    /** Errors told while the queue was full, and the latest of them. */
    private final AtomicLong dropped = new AtomicLong();

    private final AtomicReference<Error> lastDropped = new AtomicReference<>();
    /** Node thread only. */
    private final EventThrottle<String, TetherEvent.RuleError> throttle =
            new EventThrottle<>(TetherEvent.RuleError::new);

    @Override
    public void accept(String rule, String problem) {
        if (size.incrementAndGet() > MAX_QUEUED) {
            size.decrementAndGet();
            lastDropped.set(new Error(rule, problem));
            dropped.incrementAndGet();
            return;
        }
        queued.add(new Error(rule, problem));
    }

    /** Node thread: reports what was told since the last turn to {@code emit}, as far as the rate limit allows. */
    void endOfTurn(long now, Consumer<TetherEvent> emit) {
        for (Error e = queued.poll(); e != null; e = queued.poll()) {
            size.decrementAndGet();
            TetherEvent.RuleError r = throttle.offer(now, e.rule, e.problem);
            if (r != null) emit.accept(r);
        }
        // The count first: each error counted was kept as the latest before, so the reference is set (maybe newer).
        long d = dropped.getAndSet(0);
        if (d > 0) {
            Error last = lastDropped.get();
            throttle.heldBack(last.rule, last.problem, d);
        }
        TetherEvent.RuleError held = throttle.flush(now);
        if (held != null) emit.accept(held);
    }
}
