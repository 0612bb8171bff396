package dev.tether.internal.runtime;

import dev.tether.NodeId;

/**
 * A stream a caller sends on again and again (messages to one endpoint of this node), with its admission room found
 * once ({@link SendCalls#target}): a send through it ({@link SendCalls#submitByPolicy(SendTarget, java.util.Map,
 * long, byte[])}) looks nothing up by peer and lane. Rooms are never removed ({@link SendRooms}), so a target stays
 * valid for the node's life. Immutable, thread-safe.
 */
public final class SendTarget {
    final NodeId to;
    final String lane;
    final SendRooms.Room room;
    /** Whether {@link #to} is this node (a loopback stream): no peer to check per send. */
    final boolean self;

    SendTarget(NodeId to, String lane, SendRooms.Room room, boolean self) {
        this.to = to;
        this.lane = lane;
        this.room = room;
        this.self = self;
    }

    /** The lane its messages travel on. */
    public String lane() {
        return lane;
    }
}
