package dev.tether.transport.tcp.internal;

import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * Jittered exponential backoff: attempt {@code n} waits a uniformly random time between half and all of
 * {@code min(max, min * 2^n)}. Spreading the delays keeps nodes that lost each other at the same moment from
 * redialing in lockstep. Not thread-safe: used on the transport's I/O thread.
 */
public final class Backoff {
    private final long minNanos;
    private final long maxNanos;
    private final RandomGenerator random;

    public Backoff(Duration min, Duration max, RandomGenerator random) {
        this.minNanos = min.toNanos();
        this.maxNanos = max.toNanos();
        this.random = random;
    }

    /** The delay before attempt {@code attempt} (0 for the first retry), in nanoseconds. */
    public long delayNanos(int attempt) {
        long ceiling = minNanos;
        for (int i = 0; i < attempt && ceiling < maxNanos; i++) ceiling = Math.min(maxNanos, ceiling * 2);
        ceiling = Math.min(ceiling, maxNanos);
        long half = ceiling / 2;
        return half + (long) (random.nextDouble() * (ceiling - half));
    }
}
