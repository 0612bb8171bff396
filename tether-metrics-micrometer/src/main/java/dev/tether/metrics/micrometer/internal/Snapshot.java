package dev.tether.metrics.micrometer.internal;

import dev.tether.ChannelStats;
import dev.tether.NodeStats;
import dev.tether.PeerInfo;
import dev.tether.bus.EndpointStats;
import java.util.List;
import java.util.Map;

/**
 * One reading of a node: its statistics, peers, channels and endpoints (by name), and whether the node answered
 * (false once it is closed).
 */
record Snapshot(
        NodeStats stats,
        List<PeerInfo> peers,
        List<ChannelStats> channels,
        Map<String, EndpointStats> endpoints,
        boolean up) {
    Snapshot {
        peers = List.copyOf(peers);
        channels = List.copyOf(channels);
        endpoints = Map.copyOf(endpoints);
    }
}
