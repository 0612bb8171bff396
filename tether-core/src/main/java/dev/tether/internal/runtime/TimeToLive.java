package dev.tether.internal.runtime;

import java.time.Duration;

/** Turns a message's time to live into the deadline the engine keeps. */
final class TimeToLive {
    private TimeToLive() {}

    /** {@code now + ttl}, saturating: a time to live beyond the representable future means "never expires". */
    static long expiresAt(long now, Duration ttl) {
        long ms;
        try {
            ms = ttl.toMillis();
        } catch (ArithmeticException tooLong) {
            return 0;
        }
        return ms > Long.MAX_VALUE - now ? 0 : now + ms;
    }
}
