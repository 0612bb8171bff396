package dev.tether.management;

import dev.tether.ChannelRole;
import dev.tether.NodeId;
import dev.tether.PeerInfo;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One peer in a {@link Topology}.
 *
 * @param id the peer's id
 * @param origin why this node knows it
 * @param addresses the addresses this node was given for it
 * @param connected whether it is connected now
 * @param connectedSince when the current connection came up; null while disconnected
 * @param connections how many times it connected since this node started
 * @param reconnects connections after the first one ({@code max(0, connections - 1)})
 * @param lastSeen when its last frame arrived; null if none since this node started
 * @param roundTrip its latest round-trip time; null until measured
 * @param unacknowledged messages sent to it that it has not taken care of yet
 * @param handlers the named handlers it advertised
 * @param channels the channels it advertised (joined), with its role in each, sorted by name
 */
public record PeerStatus(
        NodeId id,
        PeerInfo.Origin origin,
        List<String> addresses,
        boolean connected,
        Instant connectedSince,
        long connections,
        long reconnects,
        Instant lastSeen,
        Duration roundTrip,
        long unacknowledged,
        List<String> handlers,
        Map<String, ChannelRole> channels) {
    /** Copies the lists and the map (sorted by name). */
    public PeerStatus {
        addresses = List.copyOf(addresses);
        handlers = List.copyOf(handlers);
        channels = Collections.unmodifiableMap(new TreeMap<>(channels));
    }
}
