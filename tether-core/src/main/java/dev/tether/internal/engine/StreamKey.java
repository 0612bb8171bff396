package dev.tether.internal.engine;

import dev.tether.Lanes;
import dev.tether.NodeId;

/** Identifies a stream from this node's side: the other node and the lane. */
public record StreamKey(NodeId peer, String lane) {
    /** Whether this stream is volatile: in memory only on both sides ({@link Lanes#isVolatile}). */
    public boolean isVolatile() {
        return Lanes.isVolatile(lane);
    }

    /**
     * The stream a store key {@code peer/lane} names, or null if it names none: not two valid names around the first
     * slash (a foreign or damaged record, which its reader skips rather than stopping the node's start).
     */
    static StreamKey fromStoreKey(String key) {
        int slash = key.indexOf('/');
        if (slash <= 0) return null;
        String peer = key.substring(0, slash);
        String lane = key.substring(slash + 1);
        if (!Lanes.isValid(peer) || !Lanes.isValid(lane)) return null; // a node id is a valid name too
        return new StreamKey(NodeId.of(peer), lane);
    }

    @Override
    public String toString() {
        return peer + "/" + lane;
    }
}
