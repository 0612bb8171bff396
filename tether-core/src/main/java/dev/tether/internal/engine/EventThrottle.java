package dev.tether.internal.engine;

import dev.tether.TetherEvent;

/**
 * Limits one kind of event ({@link TetherEvent.ConnectionRejected}, {@link TetherEvent.ProtocolError}, {@link
 * TetherEvent.StoreFailure}) so that a peer sending garbage, a flood of bad connections, or a store failing every
 * retry cannot flood the application's listener: a token bucket
 * allows a burst of {@link #BURST} events, then one every {@link #REFILL_MILLIS} ms. An occurrence without a
 * token is not reported at once; the next event carries how many were held back, and {@link #flush} reports the
 * latest held-back one as soon as a token is free, so a flood that stops is summed up promptly and every
 * occurrence is accounted for: occurrences = events + the sum of their {@code suppressed} counts.
 *
 * <p>One bucket per kind for all remotes, not one per remote, on purpose: the remote a transport reports is no
 * stable key (a TCP remote includes the ephemeral port of each connection; NATS remotes and reasons come from
 * whoever publishes), so per-remote buckets would neither bound the events nor the memory. The cost: during a
 * flood, an occurrence from another remote is likely summed up in a count rather than shown with its reason.
 *
 * <p>Pure and single-threaded like the engine: time (milliseconds, any origin) is an argument. Time going
 * backwards adds no tokens.
 *
 * @param <S> what the event names as its source (a remote address, a peer id; nothing for the store)
 * @param <E> the event
 */
final class EventThrottle<S, E extends TetherEvent> {
    /** Makes the event for {@code source} and {@code reason}, after {@code suppressed} held-back ones. */
    @FunctionalInterface
    interface Factory<S, E> {
        E event(S source, String reason, long suppressed);
    }

    static final int BURST = 10;
    static final long REFILL_MILLIS = 500;

    private int tokens = BURST;
    private long refilledAt;
    private boolean started;

    private final Factory<S, E> factory;
    private long suppressed;
    private S lastSource;
    private String lastReason;

    EventThrottle(Factory<S, E> factory) {
        this.factory = factory;
    }

    /** It happened at {@code now}: returns the event to emit, or null if it is held back. */
    E offer(long now, S source, String reason) {
        refill(now);
        if (tokens == 0) {
            suppressed++;
            lastSource = source;
            lastReason = reason;
            return null;
        }
        tokens--;
        E e = factory.event(source, reason, suppressed);
        clear();
        return e;
    }

    /**
     * Returns an event for the latest held-back occurrence (carrying the count of the others) if there is one
     * and a token is free at {@code now}; otherwise null.
     */
    E flush(long now) {
        if (suppressed == 0) return null;
        refill(now);
        if (tokens == 0) return null;
        tokens--;
        E e = factory.event(lastSource, lastReason, suppressed - 1);
        clear();
        return e;
    }

    private void clear() {
        suppressed = 0;
        lastSource = null;
        lastReason = null;
    }

    private void refill(long now) {
        if (!started || now < refilledAt) {
            started = true;
            refilledAt = now;
            return;
        }
        long earned = (now - refilledAt) / REFILL_MILLIS;
        if (earned == 0) return;
        if (earned >= BURST - tokens) {
            tokens = BURST;
            refilledAt = now;
        } else {
            tokens += (int) earned;
            refilledAt += earned * REFILL_MILLIS;
        }
    }
}
