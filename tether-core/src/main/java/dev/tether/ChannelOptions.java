package dev.tether;

import java.time.Duration;
import java.util.Objects;

/**
 * Retention of this node's log of one channel ({@code TetherNode.channelOptions}): how many messages, payload bytes
 * and how old a message the log keeps at most, and what a publish does when the log is full. A log always keeps a
 * message until every reader took care of it; retention is what bounds it when a reader is slow or away. Immutable;
 * the defaults ({@link #unlimited()}) keep everything until every reader took care of it.
 *
 * <ul>
 *   <li>{@link WhenFull#DROP_OLDEST} (the default): a publish is always stored; the oldest messages beyond the count or
 *       byte limit are deleted, also if a reader has not taken them yet. Such a reader misses them: its publisher
 *       counts them and raises {@link TetherEvent.ChannelMessagesDropped}, the reader raises {@link
 *       TetherEvent.ChannelMessagesMissed}, both with the same count, and the reader's stream goes on after them.
 *   <li>{@link WhenFull#REJECT}: a publish that would take the log beyond the count or byte limit fails with {@link
 *       ChannelFullException}, nothing of it stored; the log frees room as its readers take care of messages.
 *   <li>{@link WhenFull#BLOCK} ({@link #blockFor}): such a publish waits on the caller's thread, up to {@link
 *       #maxWait()}, for the readers to free room, behind the publishes that waited first; then it fails with {@link
 *       ChannelFullException} as under {@code REJECT}. Never on the node thread: there it is refused at once with
 *       {@link IllegalStateException} when it would have to wait.
 *   <li>The age limit applies with either policy: a message older than it, by the publisher's clock, is deleted as
 *       with {@code DROP_OLDEST}.
 * </ul>
 *
 * <p>Bytes are payload bytes (headers not counted). Options live in the publisher's memory: a restarted node applies
 * them again when the application sets them, and the size and publish time of every retained message are stored, so
 * limits hold across a restart.
 *
 * @param maxMessages the most messages the log holds ({@link Long#MAX_VALUE}: no limit)
 * @param maxBytes the most payload bytes the log holds ({@link Long#MAX_VALUE}: no limit)
 * @param maxAge the oldest a message may be ({@code null}: no limit)
 * @param whenFull what a publish does when the count or byte limit is reached
 * @param maxWait how long a publish waits for room under {@link WhenFull#BLOCK}; null under the other policies
 */
public record ChannelOptions(long maxMessages, long maxBytes, Duration maxAge, WhenFull whenFull, Duration maxWait) {
    /** What a publish does when the log holds its maximum count or bytes. */
    public enum WhenFull {
        /** The publish is stored and the oldest messages go, read or not (the default). */
        DROP_OLDEST,
        /** The publish fails with {@link ChannelFullException}. */
        REJECT,
        /**
         * The publish waits up to {@link #maxWait()} for room, behind those that waited first, then fails as under
         * {@link #REJECT}; set with {@link #blockFor}.
         */
        BLOCK
    }

    /** The longest age limit, 36,500 days (as for dead letters): the engine's time arithmetic stays far from overflow. */
    public static final Duration MAX_AGE = Duration.ofDays(36_500);

    private static final ChannelOptions UNLIMITED =
            new ChannelOptions(Long.MAX_VALUE, Long.MAX_VALUE, null, null, null);

    /**
     * Checks the limits.
     *
     * @throws IllegalArgumentException if a count or byte limit is below 1, the age is zero, negative or above {@link
     *     #MAX_AGE}, or {@code
     *     maxWait} is missing, zero or negative under {@link WhenFull#BLOCK} or given under another policy
     */
    public ChannelOptions {
        if (maxMessages < 1) throw new IllegalArgumentException("maxMessages must be at least 1: " + maxMessages);
        if (maxBytes < 1) throw new IllegalArgumentException("maxBytes must be at least 1: " + maxBytes);
        if (maxAge != null && (maxAge.isZero() || maxAge.isNegative() || maxAge.compareTo(MAX_AGE) > 0)) {
            throw new IllegalArgumentException("maxAge must be positive and at most 36500 days: " + maxAge);
        }
        whenFull = whenFull == null ? WhenFull.DROP_OLDEST : whenFull;
        if (whenFull == WhenFull.BLOCK && (maxWait == null || maxWait.isZero() || maxWait.isNegative())) {
            throw new IllegalArgumentException("BLOCK needs a positive maxWait, was " + maxWait
                    + "; use blockFor(Duration), or REJECT to refuse at once");
        }
        if (whenFull != WhenFull.BLOCK && maxWait != null) {
            throw new IllegalArgumentException("maxWait " + maxWait + " applies to BLOCK only, not " + whenFull);
        }
    }

    /** The four-limit form: {@code maxWait} null, so any policy but {@link WhenFull#BLOCK}. */
    public ChannelOptions(long maxMessages, long maxBytes, Duration maxAge, WhenFull whenFull) {
        this(maxMessages, maxBytes, maxAge, whenFull, null);
    }

    /** No limits, {@link WhenFull#DROP_OLDEST}. */
    public static ChannelOptions unlimited() {
        return UNLIMITED;
    }

    /** These options with at most {@code n} messages. */
    public ChannelOptions withMaxMessages(long n) {
        return new ChannelOptions(n, maxBytes, maxAge, whenFull, maxWait);
    }

    /** These options with at most {@code n} payload bytes. */
    public ChannelOptions withMaxBytes(long n) {
        return new ChannelOptions(maxMessages, n, maxAge, whenFull, maxWait);
    }

    /** These options with messages no older than {@code age}. */
    public ChannelOptions withMaxAge(Duration age) {
        return new ChannelOptions(maxMessages, maxBytes, Objects.requireNonNull(age, "age"), whenFull, maxWait);
    }

    /**
     * These options with {@code policy} when the count or byte limit is reached.
     *
     * @throws IllegalArgumentException for {@link WhenFull#BLOCK}, which needs its wait: use {@link #blockFor}
     */
    public ChannelOptions whenFull(WhenFull policy) {
        return new ChannelOptions(maxMessages, maxBytes, maxAge, Objects.requireNonNull(policy, "policy"), null);
    }

    /**
     * These options with {@link WhenFull#BLOCK}: a publish on a full log waits up to {@code maxWait} for room.
     *
     * @throws IllegalArgumentException if {@code maxWait} is zero or negative (use {@link WhenFull#REJECT} to refuse
     *     at once)
     */
    public ChannelOptions blockFor(Duration maxWait) {
        return new ChannelOptions(
                maxMessages, maxBytes, maxAge, WhenFull.BLOCK, Objects.requireNonNull(maxWait, "maxWait"));
    }

    /** Whether this log has a count or byte limit that refuses or blocks publishes (not DROP_OLDEST). */
    public boolean refusesWhenFull() {
        return whenFull != WhenFull.DROP_OLDEST && (maxMessages != Long.MAX_VALUE || maxBytes != Long.MAX_VALUE);
    }

    /** The age limit in milliseconds, {@link Long#MAX_VALUE} for none. */
    public long maxAgeMillis() {
        return maxAge == null ? Long.MAX_VALUE : maxAge.toMillis();
    }
}
