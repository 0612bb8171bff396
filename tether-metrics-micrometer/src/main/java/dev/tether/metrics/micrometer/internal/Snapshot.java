package dev.tether.metrics.micrometer.internal;

import dev.tether.NodeStats;
import dev.tether.PeerInfo;
import java.util.List;

/** One reading of a node: its statistics and peers, and whether the node answered (false once it is closed). */
record Snapshot(NodeStats stats, List<PeerInfo> peers, boolean up) {
    Snapshot {
        peers = List.copyOf(peers);
    }
}
