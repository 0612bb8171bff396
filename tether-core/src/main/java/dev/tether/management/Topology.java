package dev.tether.management;

import dev.tether.NodeId;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * A node and the peers it knows, as {@link NodeManagement#topology()} saw them.
 *
 * @param node this node's id
 * @param epoch this node's store epoch
 * @param startedAt when this node started
 * @param uptime how long it has been running
 * @param peers every peer it knows, sorted by id
 * @param channels the channels this node joined, as {@code name:ROLE}, sorted by name ({@link
 *     NodeManagement#channels()} has their readers)
 * @param kicked the nodes kicked from the cluster as far as this node knows ({@link NodeManagement#kick(NodeId)}),
 *     sorted by id
 */
public record Topology(
        NodeId node,
        long epoch,
        Instant startedAt,
        Duration uptime,
        List<PeerStatus> peers,
        List<String> channels,
        List<NodeId> kicked) {
    /** Copies the lists. */
    public Topology {
        peers = List.copyOf(peers);
        channels = List.copyOf(channels);
        kicked = List.copyOf(kicked);
    }
}
