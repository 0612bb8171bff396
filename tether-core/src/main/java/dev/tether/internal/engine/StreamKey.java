package dev.tether.internal.engine;

import dev.tether.Lanes;
import dev.tether.NodeId;

/** Identifies a stream from this node's side: the other node and the lane. */
public record StreamKey(NodeId peer, String lane) {
    /** Whether this stream is volatile: in memory only on both sides ({@link Lanes#isVolatile}). */
    public boolean isVolatile() {
        return Lanes.isVolatile(lane);
    }

    @Override
    public String toString() {
        return peer + "/" + lane;
    }
}
