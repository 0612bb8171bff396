package dev.tether.internal.bus;

import dev.tether.TetherEvent;
import dev.tether.internal.engine.EventThrottle;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * The routing rules' errors on their way to the listener as {@link TetherEvent.RuleError}: told on the threads that
 * route, queued (at most {@link #MAX_QUEUED}; beyond that an error is not reported, its count in the rule's counters
 * stays exact), and reported at the end of each node turn through a rate limit like protocol errors' (a burst of 10,
 * then 2 per second, the next event saying how many were held back). Thread-safe: {@link #accept} on any thread,
 * {@link #endOfTurn} on the node thread only.
 */
final class RuleErrors implements BiConsumer<String, String> {
    /** Most errors waiting for the node thread. */
    static final int MAX_QUEUED = 1_024;

    private record Error(String rule, String problem) {}

    private final ConcurrentLinkedQueue<Error> queued = new ConcurrentLinkedQueue<>();
    private final AtomicInteger size = new AtomicInteger();
    /** Node thread only. */
    private final EventThrottle<String, TetherEvent.RuleError> throttle =
            new EventThrottle<>(TetherEvent.RuleError::new);

    @Override
    public void accept(String rule, String problem) {
        if (size.incrementAndGet() > MAX_QUEUED) {
            size.decrementAndGet();
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
        TetherEvent.RuleError held = throttle.flush(now);
        if (held != null) emit.accept(held);
    }
}
