package dev.tether.management;

import dev.tether.NodeStats;
import java.util.List;

/**
 * A node's counters with totals per peer.
 *
 * @param node the node's counters and its streams ({@link NodeStats#streams()})
 * @param peers totals per peer over its streams, sorted by peer id
 */
public record NodeStatistics(NodeStats node, List<PeerStatistics> peers) {
    /** Copies the list. */
    public NodeStatistics {
        peers = List.copyOf(peers);
    }
}
