package dev.tether.internal.engine;

import dev.tether.TetherEvent;

/**
 * Limits {@link TetherEvent.ConnectionRejected} events so that a peer sending garbage, or a flood of bad
 * connections, cannot flood the application's listener: a token bucket allows a burst of {@link #BURST} events,
 * then one every {@link #REFILL_MILLIS} ms. A rejection without a token is not reported at once; the next event
 * carries how many were held back, and {@link #flush} reports the latest held-back one as soon as a token is
 * free, so a flood that stops is summed up promptly and every rejection is accounted for: rejections = events +
 * the sum of their {@code suppressed} counts.
 *
 * <p>One bucket for all remotes, not one per remote, on purpose: the remote a transport reports is no stable key
 * (a TCP remote includes the ephemeral port of each connection; NATS remotes and reasons come from whoever
 * publishes), so per-remote buckets would neither bound the events nor the memory. The cost: during a flood, a
 * rejection from another remote is likely summed up in a count rather than shown with its reason.
 *
 * <p>Pure and single-threaded like the engine: time (milliseconds, any origin) is an argument. Time going
 * backwards adds no tokens.
 */
final class RejectionThrottle {
    static final int BURST = 10;
    static final long REFILL_MILLIS = 500;

    private int tokens = BURST;
    private long refilledAt;
    private boolean started;

    private long suppressed;
    private String lastRemote;
    private String lastReason;

    /** A rejection happened at {@code now}: returns the event to emit, or null if it is held back. */
    TetherEvent.ConnectionRejected offer(long now, String remote, String reason) {
        refill(now);
        if (tokens == 0) {
            suppressed++;
            lastRemote = remote;
            lastReason = reason;
            return null;
        }
        tokens--;
        TetherEvent.ConnectionRejected e = new TetherEvent.ConnectionRejected(remote, reason, suppressed);
        clear();
        return e;
    }

    /**
     * Returns an event for the latest held-back rejection (carrying the count of the others) if there is one and
     * a token is free at {@code now}; otherwise null.
     */
    TetherEvent.ConnectionRejected flush(long now) {
        if (suppressed == 0) return null;
        refill(now);
        if (tokens == 0) return null;
        tokens--;
        TetherEvent.ConnectionRejected e = new TetherEvent.ConnectionRejected(lastRemote, lastReason, suppressed - 1);
        clear();
        return e;
    }

    private void clear() {
        suppressed = 0;
        lastRemote = null;
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
