package dev.tether.transport.tcp.internal;

import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * Jittered exponential backoff: attempt {@code n} waits a uniformly random time between half and all of
 * {@code min(max, min * 2^n)}. Spreading the delays keeps nodes that lost each other at the same moment from
 * redialing in lockstep. Not thread-safe: used on the transport's I/O thread.
 *
 * <p>The ceiling {@code max} is also how long a peer that comes back after any outage may wait for its next dial:
 * the delays stop growing there, so the default is short ({@value #DEFAULT_MAX_MILLIS} ms): a refused dial to a
 * peer that is down costs one connection attempt, and the peer's return should not wait seconds (issue 14).
 *
 * <p>A member learnt from member lists and then reported lost (unconnected for {@code memberLostAfter}) is redialed
 * at the slower {@link #lostDelayNanos()} instead, between half and all of {@code lost}: it may never come back, and
 * a node that lost many members would otherwise dial each of them every second forever.
 */
public final class Backoff {
    /** The default first delay ceiling, {@code TcpTransport.Builder.reconnect}'s {@code min}. */
    public static final Duration DEFAULT_MIN = Duration.ofMillis(50);

    public static final long DEFAULT_MAX_MILLIS = 1000;

    /** The default largest delay, {@code TcpTransport.Builder.reconnect}'s {@code max}. */
    public static final Duration DEFAULT_MAX = Duration.ofMillis(DEFAULT_MAX_MILLIS);

    /** The default redial interval of a lost member, {@code TcpTransport.Builder.lostMemberRedial}. */
    public static final Duration DEFAULT_LOST = Duration.ofSeconds(30);

    private final long minNanos;
    private final long maxNanos;
    private final long lostNanos;
    private final RandomGenerator random;

    public Backoff(Duration min, Duration max, RandomGenerator random) {
        this(min, max, DEFAULT_LOST, random);
    }

    public Backoff(Duration min, Duration max, Duration lost, RandomGenerator random) {
        this.minNanos = min.toNanos();
        this.maxNanos = max.toNanos();
        this.lostNanos = lost.toNanos();
        this.random = random;
    }

    /** The delay before redialing a member reported lost, in nanoseconds: between half and all of {@code lost}. */
    public long lostDelayNanos() {
        long half = lostNanos / 2;
        return half + (long) (random.nextDouble() * (lostNanos - half));
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
