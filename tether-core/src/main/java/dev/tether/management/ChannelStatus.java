package dev.tether.management;

import dev.tether.ChannelRole;
import dev.tether.NodeId;
import java.util.List;

/**
 * One channel as {@link NodeManagement#channels()} saw it on this node: the role this node joined it with, and the
 * readers of this node's log of it.
 *
 * @param channel the channel's name
 * @param role the role this node joined it with, or null if it did not join it (or left it) and its log still has
 *     readers
 * @param lastSeq the last sequence number this node published on it (0 if none is known to its readers' streams)
 * @param readers the readers of this node's log of the channel, sorted by id; empty if this node publishes nothing
 *     there or no reader joined
 * @param kicked the nodes this node holds banned from the channel ({@link NodeManagement#kick}), sorted by id
 */
public record ChannelStatus(
        String channel, ChannelRole role, long lastSeq, List<SubscriberStatus> readers, List<NodeId> kicked) {
    /** Copies the lists. */
    public ChannelStatus {
        readers = List.copyOf(readers);
        kicked = List.copyOf(kicked);
    }
}
