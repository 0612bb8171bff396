package dev.tether.transport.nats.internal;

import java.util.SplittableRandom;
import java.util.function.LongSupplier;

/**
 * Connection sessions that are ordered, so a peer can tell a late message of an older session from a newer one: the
 * high bits are the attach time in milliseconds, the low 16 bits random (two processes of one node id attaching in
 * the same millisecond still differ), and within one process each session is above the previous one even if the
 * clock stands still or steps back. Values are positive and non-zero for the next few thousand years.
 *
 * <p>Across processes the order is as good as the clocks: a process restarted on a clock that stepped back by more
 * than its previous session's age gets a lower session, which peers ignore until they stop hearing the old one (a
 * goodbye, or one peer timeout). Not thread-safe; the {@link LinkTable} calls it under its lock.
 */
final class SessionIds {
    private static final int RANDOM_BITS = 16;

    private final LongSupplier clockMillis;
    private final SplittableRandom random;
    private long last;

    SessionIds(LongSupplier clockMillis, SplittableRandom random) {
        this.clockMillis = clockMillis;
        this.random = random;
    }

    /** A session above every one this instance returned before. */
    long next() {
        long fresh = (clockMillis.getAsLong() << RANDOM_BITS) | random.nextInt(1 << RANDOM_BITS);
        last = Math.max(last + 1, Math.max(fresh, 1));
        return last;
    }
}
