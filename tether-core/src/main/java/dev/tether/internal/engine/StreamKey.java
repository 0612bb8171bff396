package dev.tether.internal.engine;

import dev.tether.NodeId;

/** Identifies a stream from this node's side: the other node and the lane. */
public record StreamKey(NodeId peer, String lane) {
    @Override
    public String toString() {
        return peer + "/" + lane;
    }
}
