package dev.tether.internal.engine;

import dev.tether.NodeId;
import dev.tether.PeerRemoval;
import java.util.List;
import java.util.function.Consumer;

/**
 * Membership changes the application and discoveries make: a peer added or discovered, removed, or lost; what a peer
 * keeps known is its streams and its known epoch. The engine's thread only.
 */
final class PeerChanges {
    private final PeerTable peers;
    private final OutboundQueries outbound;
    private final InboundQueries inbound;
    /** Keeps per-peer limits and acknowledgment arrays, freed when a peer is removed. */
    private final FrameWriter frames;

    PeerChanges(PeerTable peers, OutboundQueries outbound, InboundQueries inbound, FrameWriter frames) {
        this.peers = peers;
        this.outbound = outbound;
        this.inbound = inbound;
        this.frames = frames;
    }

    /** {@link Engine#addPeer}. */
    void add(NodeId peer, List<String> addresses, boolean added) {
        peers.add(peer, addresses, added);
    }

    /** {@link Engine#removePeer}: {@code down} takes a connected peer down first. */
    PeerRemoval remove(NodeId peer, Consumer<NodeId> down) {
        PeerTable.Peer p = peers.get(peer);
        boolean known = p != null && !p.removed;
        boolean wasConnected = p != null && p.connected();
        if (wasConnected) down.accept(peer);
        peers.remove(peer);
        frames.forget(peer);
        return new PeerRemoval(
                peer,
                known,
                wasConnected,
                outbound.unackedTo(peer),
                outbound.streamsTo(peer),
                inbound.streamsFrom(peer));
    }

    /** {@link Engine#lostPeer}. */
    void lost(NodeId peer) {
        boolean state = peers.knownEpoch(peer) != 0 || outbound.streamsTo(peer) > 0 || inbound.streamsFrom(peer) > 0;
        peers.lost(peer, state);
    }
}
