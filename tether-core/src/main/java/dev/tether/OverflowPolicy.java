package dev.tether;

import java.time.Duration;
import java.util.Objects;

/**
 * What {@code send(message)} does when the message's stream already holds its limit of unacknowledged messages
 * ({@link StreamLimits}). {@code send(message, maxWait)} always waits and {@code offer} never does, whatever the
 * policy; calls ({@code call(...)}) are refused at once under every policy. See docs/MESSAGING.md, "Backpressure".
 * Immutable.
 */
public final class OverflowPolicy {
    /** The policies. */
    public enum Kind {
        /** Throw {@link QueueFullException} at once; nothing is stored. */
        REJECT,
        /** Wait for room up to the policy's {@link #timeout()}, behind the senders that waited first; then as REJECT. */
        BLOCK,
        /**
         * Do not store the new message and do not throw: its receipt's {@code accepted()} fails with {@link
         * MessageDroppedException} and its {@code processed()} completes with {@link Outcome#DROPPED}.
         */
        DROP_NEWEST,
        /**
         * Store the new message and make room by dropping the stream's oldest message not yet transmitted (never with
         * the receiver's application): the dropped one's {@code processed()} completes with {@link Outcome#DROPPED}
         * (its {@code accepted()} fails with {@link MessageDroppedException} if it was not stored yet), and a DROPPED
         * marker goes out in its place. If every unacknowledged message was transmitted already, nothing can be
         * dropped and the new message is refused as by {@link #REJECT}, but through its receipt: its {@code
         * accepted()} fails with {@link QueueFullException} (the choice is made on the node thread, which knows what
         * was transmitted; {@code send} does not wait for it).
         */
        DROP_OLDEST
    }

    /** The default: refuse at once. */
    public static final OverflowPolicy REJECT = new OverflowPolicy(Kind.REJECT, null);

    /** Drop the new message, for producers that must not handle exceptions (telemetry). */
    public static final OverflowPolicy DROP_NEWEST = new OverflowPolicy(Kind.DROP_NEWEST, null);

    /** Drop the oldest message not yet transmitted to make room: the newest data wins (telemetry, latest state). */
    public static final OverflowPolicy DROP_OLDEST = new OverflowPolicy(Kind.DROP_OLDEST, null);

    private final Kind kind;
    private final Duration timeout;

    private OverflowPolicy(Kind kind, Duration timeout) {
        this.kind = kind;
        this.timeout = timeout;
    }

    /**
     * Wait up to {@code timeout} for room, then refuse as {@link #REJECT}.
     *
     * @throws IllegalArgumentException if {@code timeout} is zero or negative (use {@link #REJECT} to refuse at once)
     */
    public static OverflowPolicy block(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isZero() || timeout.isNegative()) {
            throw new IllegalArgumentException(
                    "BLOCK timeout must be positive, was " + timeout + "; use REJECT to refuse at once");
        }
        return new OverflowPolicy(Kind.BLOCK, timeout);
    }

    /** Which policy this is. */
    public Kind kind() {
        return kind;
    }

    /** How long {@link Kind#BLOCK} waits; null for the others. */
    public Duration timeout() {
        return timeout;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof OverflowPolicy p && p.kind == kind && Objects.equals(p.timeout, timeout);
    }

    @Override
    public int hashCode() {
        return Objects.hash(kind, timeout);
    }

    @Override
    public String toString() {
        return kind == Kind.BLOCK ? "BLOCK(" + timeout + ")" : kind.name();
    }
}
