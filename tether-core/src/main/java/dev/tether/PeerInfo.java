package dev.tether;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * What a node knows about one peer, as reported by {@link TetherNode#peers()}: a snapshot taken on the node
 * thread. Later versions add what the peer advertises (its handlers and channels).
 *
 * @param id the peer
 * @param origin why this node knows the peer (the first that applies, in the order of {@link Origin})
 * @param addresses where the peer may be reached, as given to {@link TetherNode#addPeer(NodeId, List)} or
 *     reported by a discovery; empty when none were given (the transport may know addresses of its own)
 * @param connected whether the transport reports the peer connected now
 * @param lastSeen when the last frame from the peer arrived, by the node's clock; null if none arrived since
 *     this node started
 * @param roundTrip the latest measured round trip to the peer's node thread and back (a PING answered by a
 *     PONG), in whole milliseconds of the node's clock; null until the first answer arrived
 * @param unacknowledged messages sent to the peer that it has not taken care of yet (stored, so they survive
 *     restarts)
 */
public record PeerInfo(
        NodeId id,
        Origin origin,
        List<String> addresses,
        boolean connected,
        Instant lastSeen,
        Duration roundTrip,
        long unacknowledged) {

    /** Copies {@code addresses}. */
    public PeerInfo {
        addresses = List.copyOf(addresses);
    }

    /** Why a node knows a peer. */
    public enum Origin {
        /** Named in {@code TetherConfig.Builder.peers}. */
        CONFIGURED,
        /** Added with {@link TetherNode#addPeer}. */
        ADDED,
        /** Reported by a {@link dev.tether.spi.Discovery}. */
        DISCOVERED,
        /**
         * Connected without being configured, added or discovered, and admitted because the transport proved
         * its identity (see {@code TetherConfig.Builder.allowedPeers}).
         */
        ADMITTED,
        /** Known only from this node's store: an earlier run exchanged messages with it. */
        STORED
    }
}
