package dev.tether.internal.util;

import java.time.Duration;

/** Durations in milliseconds for timers, saturated: a user's "forever" ({@code ChronoUnit.FOREVER}) is no overflow. */
public final class Millis {
    private Millis() {}

    /** {@code d} in milliseconds, {@link Long#MAX_VALUE} if it has more. */
    public static long saturated(Duration d) {
        try {
            return d.toMillis();
        } catch (ArithmeticException tooLong) {
            return Long.MAX_VALUE;
        }
    }
}
