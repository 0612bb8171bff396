package dev.tether;

import java.util.Objects;

/**
 * The limit of one outbound stream: how many unacknowledged messages it may hold (queued for the store, stored and
 * not yet taken care of by the receiver), and what {@code send} does beyond it ({@link OverflowPolicy}). Given per
 * stream by selector with {@code TetherConfig.Builder.streamLimits}; streams no selector matches keep {@code
 * maxQueuedPerStream} and {@link OverflowPolicy#REJECT}. Immutable.
 */
public final class StreamLimits {
    private final long maxMessages;
    private final OverflowPolicy policy;

    private StreamLimits(long maxMessages, OverflowPolicy policy) {
        this.maxMessages = maxMessages;
        this.policy = policy;
    }

    /**
     * At most {@code maxMessages} unacknowledged messages, refused beyond ({@link OverflowPolicy#REJECT}).
     *
     * @throws IllegalArgumentException if {@code maxMessages < 1}
     */
    public static StreamLimits maxMessages(long maxMessages) {
        if (maxMessages < 1) throw new IllegalArgumentException("maxMessages must be >= 1, was " + maxMessages);
        return new StreamLimits(maxMessages, OverflowPolicy.REJECT);
    }

    /** These limits with {@code policy} beyond them. */
    public StreamLimits policy(OverflowPolicy policy) {
        return new StreamLimits(maxMessages, Objects.requireNonNull(policy, "policy"));
    }

    /** Unacknowledged messages the stream may hold at most. */
    public long maxMessages() {
        return maxMessages;
    }

    /** What {@code send} does when the stream is full. */
    public OverflowPolicy policy() {
        return policy;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof StreamLimits l && l.maxMessages == maxMessages && l.policy.equals(policy);
    }

    @Override
    public int hashCode() {
        return Objects.hash(maxMessages, policy);
    }

    @Override
    public String toString() {
        return "StreamLimits[maxMessages=" + maxMessages + ", policy=" + policy + "]";
    }
}
