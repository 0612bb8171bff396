package dev.tether.internal.engine;

/**
 * Round trips to peers: PINGs stamped with the owner's monotonic clock in microseconds once it gives it ({@link
 * #preciseTime}), else with the turn's milliseconds; a PONG's echo checked and the round trip recorded in the peer.
 * The engine's thread only.
 */
final class RoundTrips {
    private final FrameWriter frames;
    private final Statistics stats;
    /** The owner's monotonic clock in microseconds, or -1: pings are then stamped in milliseconds. */
    private long micros = -1;

    RoundTrips(FrameWriter frames, Statistics stats) {
        this.frames = frames;
        this.stats = stats;
    }

    /** See {@link Engine#preciseTime}. */
    void preciseTime(long micros) {
        this.micros = micros;
    }

    /** A PING's timestamp now: microseconds if the owner gives them, else {@code now} in milliseconds. */
    private long stamp(long now) {
        return micros >= 0 ? micros : now;
    }

    void ping(long now, PeerTable.Peer p) {
        long stamp = stamp(now);
        frames.ping(p.id, stamp);
        PeerTable.pinged(p, now, stamp);
    }

    void onPong(long now, PeerTable.Peer p, Frame.Pong g) {
        String lie = p.ponged(stamp(now), g.sentAt(), micros >= 0 ? 1_000 : 1_000_000);
        if (lie != null) stats.protocolError(now, p.id, lie);
    }
}
