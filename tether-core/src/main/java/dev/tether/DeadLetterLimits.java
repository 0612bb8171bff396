package dev.tether;

import java.time.Duration;
import java.util.Objects;

/**
 * Bounds of a node's dead-letter queue ({@code TetherConfig.Builder.deadLetters}): at most {@code maxCount} dead
 * letters holding at most {@code maxBytes} of payload, none older than {@code maxAge}, and what happens to a message
 * that would go beyond a bound ({@link WhenFull}). The default, {@link #DEFAULT}: 100,000 dead letters, 256 MiB, 30
 * days, {@link WhenFull#DROP_OLDEST}.
 *
 * <p>The node keeps an index of its stored dead letters (identity, payload size, time; read from the store when it
 * starts, {@code Store} rule 24) and changes it with every store batch that adds or removes one, so the bounds hold
 * exactly, across restarts too. Age is enforced by a sweep once a minute (by the node's clock): an entry is removed
 * at the first sweep after it became older than {@code maxAge}. Every removal and refusal is counted in {@link
 * DeadLetterStats}. Immutable.
 *
 * @param maxCount dead letters kept at most, 1 to {@value #MAX_COUNT}
 * @param maxBytes payload bytes of the kept dead letters together, at most (at least 1)
 * @param maxAge how long a dead letter is kept at most, 1 second to 36,500 days
 * @param whenFull what a message that would go beyond {@code maxCount} or {@code maxBytes} does
 */
public record DeadLetterLimits(long maxCount, long maxBytes, Duration maxAge, WhenFull whenFull) {
    /** The largest {@code maxCount}: the node holds about 100 bytes of index per dead letter in memory. */
    public static final long MAX_COUNT = 10_000_000;

    // Before DEFAULT, which the constructor checks against it.
    private static final Duration MAX_AGE = Duration.ofDays(36_500);

    /** 100,000 dead letters, 256 MiB, 30 days, {@link WhenFull#DROP_OLDEST}. */
    public static final DeadLetterLimits DEFAULT =
            new DeadLetterLimits(100_000, 256L << 20, Duration.ofDays(30), WhenFull.DROP_OLDEST);

    /** What happens to a message that would be dead-lettered into a full queue. */
    public enum WhenFull {
        /**
         * It is dead-lettered, and the oldest dead letters are removed in the same store batch until the queue is
         * within its bounds again: counted in {@link DeadLetterStats#evicted()}, reported as {@link
         * TetherEvent.DeadLettersEvicted}.
         */
        DROP_OLDEST,
        /**
         * It is not dead-lettered: its stream blocks at it, as under {@link FailurePolicy#BLOCK} (it backs up to its
         * sender through credit), counted in {@link DeadLetterStats#refused()} and reported as {@link
         * TetherEvent.DeadLetterQueueFull}. When a purge, a replay or the age sweep makes room for it, the blocked
         * stream delivers the message once more, and dead-letters it if it fails again. A payload larger than {@code
         * maxBytes} never fits: it is dead-lettered and removed in the same batch, as under {@link #DROP_OLDEST}.
         */
        REFUSE
    }

    /** @throws InvalidConfigException naming the first value out of range */
    public DeadLetterLimits {
        Objects.requireNonNull(whenFull, "whenFull");
        if (maxCount < 1 || maxCount > MAX_COUNT) {
            throw new InvalidConfigException(
                    "deadLetters maxCount must be between 1 and " + MAX_COUNT + ", was " + maxCount);
        }
        if (maxBytes < 1) throw new InvalidConfigException("deadLetters maxBytes must be >= 1, was " + maxBytes);
        if (maxAge == null || maxAge.compareTo(Duration.ofSeconds(1)) < 0 || maxAge.compareTo(MAX_AGE) > 0) {
            throw new InvalidConfigException("deadLetters maxAge must be between 1 s and 36500 days, was " + maxAge);
        }
    }

    /**
     * At most {@code maxCount} dead letters with {@code maxBytes} of payload together, none older than {@code maxAge},
     * {@link WhenFull#DROP_OLDEST} when full.
     *
     * @throws InvalidConfigException naming the first value out of range
     */
    public static DeadLetterLimits of(long maxCount, long maxBytes, Duration maxAge) {
        return new DeadLetterLimits(maxCount, maxBytes, maxAge, WhenFull.DROP_OLDEST);
    }

    /** These bounds with {@code policy} when full. */
    public DeadLetterLimits whenFull(WhenFull policy) {
        return new DeadLetterLimits(maxCount, maxBytes, maxAge, Objects.requireNonNull(policy, "policy"));
    }

    /** {@link #maxAge} in milliseconds. */
    public long maxAgeMillis() {
        return maxAge.toMillis();
    }
}
