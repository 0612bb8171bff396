package dev.tether;

import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a node knows about one peer, as reported by {@link TetherNode#peers()}: a snapshot taken on the node
 * thread.
 *
 * @param id the peer
 * @param origin why this node knows the peer (the first that applies, in the order of {@link Origin})
 * @param addresses where the peer may be reached, as given to {@link TetherNode#addPeer(NodeId, List)} or
 *     reported by a discovery; empty when none were given (the transport may know addresses of its own)
 * @param connected whether the transport reports the peer connected now
 * @param lastSeen when the last frame from the peer arrived, by the node's clock; null if none arrived since
 *     this node started
 * @param roundTrip the latest measured round trip to the peer's node thread and back (a PING answered by a
 *     PONG), to the microsecond, by the node's monotonic clock; null until the first answer arrived
 * @param unacknowledged messages sent to the peer that it has not taken care of yet (stored, so they survive
 *     restarts)
 * @param handlers the names of the handlers the peer advertised last (its system handler {@code _hello}), sorted;
 *     empty until it advertised any. Kept while the peer is disconnected; replaced by each newer advertisement
 *     (docs/MESSAGING.md, "Handler discovery")
 * @param channels the channels the peer advertised last with its handlers (the ones it joined), with its role in
 *     each, sorted by name; empty until it advertised any. Kept and replaced like {@code handlers}
 */
public record PeerInfo(
        NodeId id,
        Origin origin,
        List<String> addresses,
        boolean connected,
        Instant lastSeen,
        Duration roundTrip,
        long unacknowledged,
        List<String> handlers,
        Map<String, ChannelRole> channels) {

    /** Copies {@code addresses}, {@code handlers} and {@code channels} (sorted by name). */
    public PeerInfo {
        addresses = List.copyOf(addresses);
        handlers = List.copyOf(handlers);
        channels = Collections.unmodifiableMap(new TreeMap<>(channels));
    }

    /** This snapshot with {@code handlers} and {@code channels} as what the peer advertised. */
    public PeerInfo withAdvertised(List<String> handlers, Map<String, ChannelRole> channels) {
        return new PeerInfo(id, origin, addresses, connected, lastSeen, roundTrip, unacknowledged, handlers, channels);
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
