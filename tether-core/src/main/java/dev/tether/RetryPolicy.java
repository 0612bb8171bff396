package dev.tether;

import java.time.Duration;
import java.util.Objects;

/**
 * How a receiver redelivers a message whose handler failed (threw, or called {@link Delivery#nack()}):
 * after {@code initialBackoff}, multiplied by {@code multiplier} per attempt up to {@code maxBackoff},
 * at most {@code maxAttempts} deliveries in all; then the stream's {@link FailurePolicy} applies.
 */
public record RetryPolicy(int maxAttempts, Duration initialBackoff, Duration maxBackoff, double multiplier) {
    /** The longest backoff, 36,500 days: a retry's due time ({@code now} plus the backoff) cannot overflow. */
    public static final Duration MAX_BACKOFF = Duration.ofDays(36_500);

    /** 5 attempts, backoff 100 ms doubling to 10 s. */
    public static final RetryPolicy DEFAULT = new RetryPolicy(5, Duration.ofMillis(100), Duration.ofSeconds(10), 2.0);

    /**
     * @throws InvalidConfigException if a value is out of range: attempts below 1, a negative initial backoff, a
     *     maximum below the initial backoff or above {@link #MAX_BACKOFF}, a multiplier below 1 or not finite
     */
    public RetryPolicy {
        Objects.requireNonNull(initialBackoff, "initialBackoff");
        Objects.requireNonNull(maxBackoff, "maxBackoff");
        if (maxAttempts < 1) throw new InvalidConfigException("retry maxAttempts must be >= 1, was " + maxAttempts);
        if (initialBackoff.isNegative()) throw new InvalidConfigException("retry initialBackoff must be >= 0");
        if (maxBackoff.compareTo(initialBackoff) < 0) {
            throw new InvalidConfigException("retry maxBackoff must be >= initialBackoff");
        }
        if (maxBackoff.compareTo(MAX_BACKOFF) > 0) {
            throw new InvalidConfigException("retry maxBackoff must be at most 36500 days, was " + maxBackoff);
        }
        if (!(multiplier >= 1.0) || Double.isInfinite(multiplier)) {
            throw new InvalidConfigException("retry multiplier must be a finite number >= 1, was " + multiplier);
        }
    }

    /** Backoff before delivery number {@code attempt + 1}, where {@code attempt >= 1} failed. */
    public long backoffMillis(int attempt) {
        double d = initialBackoff.toMillis() * Math.pow(multiplier, Math.max(0, attempt - 1));
        return (long) Math.min(d, maxBackoff.toMillis());
    }
}
