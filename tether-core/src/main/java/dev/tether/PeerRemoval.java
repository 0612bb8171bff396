package dev.tether;

/**
 * What {@link TetherNode#removePeer} did. The peer's stored state is kept: messages to it stay in the outbox
 * and its cursors stay stored; adding the peer again resumes both.
 *
 * @param peer the removed peer
 * @param wasKnown whether the node knew the peer (false: nothing changed but the peer is refused from now on)
 * @param wasConnected whether it was connected (the connection was closed)
 * @param unacknowledged messages to the peer that stay stored, unacknowledged
 * @param outboundStreams streams to the peer whose state stays stored
 * @param inboundStreams streams from the peer whose cursors stay stored
 */
public record PeerRemoval(
        NodeId peer,
        boolean wasKnown,
        boolean wasConnected,
        long unacknowledged,
        int outboundStreams,
        int inboundStreams) {}
