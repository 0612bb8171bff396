package dev.tether.internal.engine;

import dev.tether.StreamStats;

/**
 * Builds a {@link StreamStats} by name rather than by the position of its fifteen components. Counters not set
 * are 0: an outbound stream has no deliveries, an inbound one sends nothing. Not thread-safe; one per snapshot.
 */
final class StreamStatsBuilder {
    private final StreamKey key;
    private final StreamStats.Direction direction;
    private long cursor;
    private long lastSeq;
    private long queued;
    private long inFlight;
    private long sent;
    private long retransmitted;
    private long delivered;
    private long redelivered;
    private long duplicatesDropped;
    private long deadLettered;
    private long expired;
    private long missed;
    private long dropped;
    private boolean blocked;

    private StreamStatsBuilder(StreamKey key, StreamStats.Direction direction) {
        this.key = key;
        this.direction = direction;
    }

    static StreamStatsBuilder outbound(StreamKey key) {
        return new StreamStatsBuilder(key, StreamStats.Direction.OUTBOUND);
    }

    static StreamStatsBuilder inbound(StreamKey key) {
        return new StreamStatsBuilder(key, StreamStats.Direction.INBOUND);
    }

    /** DROPPED markers of the sender's overflow policy settled (inbound). */
    StreamStatsBuilder dropped(long v) {
        dropped = v;
        return this;
    }

    StreamStatsBuilder cursor(long v) {
        cursor = v;
        return this;
    }

    StreamStatsBuilder lastSeq(long v) {
        lastSeq = v;
        return this;
    }

    StreamStatsBuilder queued(long v) {
        queued = v;
        return this;
    }

    StreamStatsBuilder inFlight(long v) {
        inFlight = v;
        return this;
    }

    StreamStatsBuilder sent(long v) {
        sent = v;
        return this;
    }

    StreamStatsBuilder retransmitted(long v) {
        retransmitted = v;
        return this;
    }

    StreamStatsBuilder delivered(long v) {
        delivered = v;
        return this;
    }

    StreamStatsBuilder redelivered(long v) {
        redelivered = v;
        return this;
    }

    StreamStatsBuilder duplicatesDropped(long v) {
        duplicatesDropped = v;
        return this;
    }

    StreamStatsBuilder deadLettered(long v) {
        deadLettered = v;
        return this;
    }

    StreamStatsBuilder expired(long v) {
        expired = v;
        return this;
    }

    StreamStatsBuilder missed(long v) {
        missed = v;
        return this;
    }

    StreamStatsBuilder blocked(boolean v) {
        blocked = v;
        return this;
    }

    StreamStats build() {
        return new StreamStats(
                key.peer(),
                key.lane(),
                direction,
                cursor,
                lastSeq,
                queued,
                inFlight,
                sent,
                retransmitted,
                delivered,
                redelivered,
                duplicatesDropped,
                deadLettered,
                expired,
                missed,
                blocked,
                0, // send admission's counters are the runtime's (SendRooms); an inbound stream's dropped are the
                // engine's
                dropped,
                0);
    }
}
