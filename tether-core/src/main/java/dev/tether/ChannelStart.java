package dev.tether;

import java.time.Instant;
import java.util.Objects;

/**
 * Where a new reader of a channel starts, in each publisher's log ({@code TetherNode.join}): {@link #now()} (the
 * default: what is published after the join), {@link #earliest()} (the oldest message the log still holds), {@link
 * #fromSequence} (a sequence number of each publisher's log) or {@link #fromTime} (the first message the log still
 * holds that was published at or after an instant, by the publisher's clock). A log holds a message until every
 * reader took care of it, so history is what slower readers keep; a start before what a log holds starts at its
 * oldest message. A node that is a reader already keeps its place. Immutable.
 *
 * @param kind which start
 * @param value the sequence number ({@link Kind#SEQUENCE}), the epoch milliseconds ({@link Kind#TIME}), else 0
 */
public record ChannelStart(Kind kind, long value) {
    /** The kinds of start. */
    public enum Kind {
        /** After the last message each publisher's log holds when it takes the join. */
        NOW,
        /** At the oldest message each publisher's log still holds. */
        EARLIEST,
        /** At a sequence number of each publisher's log. */
        SEQUENCE,
        /** At the first message published at or after an instant. */
        TIME
    }

    private static final ChannelStart NOW = new ChannelStart(Kind.NOW, 0);
    private static final ChannelStart EARLIEST = new ChannelStart(Kind.EARLIEST, 0);

    /**
     * Checks the value against the kind.
     *
     * @throws IllegalArgumentException for a sequence number below 1, a negative time, or a value with {@code NOW} or
     *     {@code EARLIEST}
     */
    public ChannelStart {
        Objects.requireNonNull(kind, "kind");
        if (kind == Kind.SEQUENCE && value < 1) throw new IllegalArgumentException("sequence numbers start at 1");
        if (kind == Kind.TIME && value < 0) throw new IllegalArgumentException("time before the epoch: " + value);
        if ((kind == Kind.NOW || kind == Kind.EARLIEST) && value != 0) {
            throw new IllegalArgumentException(kind + " takes no value");
        }
    }

    /** What each publisher publishes after it took the join (the default). */
    public static ChannelStart now() {
        return NOW;
    }

    /** The oldest message each publisher's log still holds, and everything after it. */
    public static ChannelStart earliest() {
        return EARLIEST;
    }

    /** Message {@code seq} (at least 1) of each publisher's log and everything after it. */
    public static ChannelStart fromSequence(long seq) {
        return new ChannelStart(Kind.SEQUENCE, seq);
    }

    /** The first message each publisher's log holds that was published at or after {@code t}, and what follows. */
    public static ChannelStart fromTime(Instant t) {
        return new ChannelStart(Kind.TIME, t.toEpochMilli());
    }
}
